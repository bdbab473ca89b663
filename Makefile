# Two commands matter: `make run` (try it) and `make test` (check it).
# Both work on a machine with only python3 (+ pip) and make: uv is installed
# with pip when missing and called as `python3 -m uv` when not on PATH.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
MANAGE := $(UV) run python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help uv sync run test lint worker demo-reset chromium libreoffice fonts bench bench-portal reminders

help:
	@echo "make run          cài đặt, chuẩn bị CSDL, nạp dữ liệu mẫu và chạy tại http://$(HOST):$(PORT)"
	@echo "make test         chạy toàn bộ kiểm thử (pytest; có Chromium thì chạy cả kiểm thử trình duyệt)"
	@echo "make lint         ruff check, ruff format --check, mypy"
	@echo "make worker       chạy tiến trình xử lý tác vụ nền (db_worker)"
	@echo "make demo-reset   xóa sạch dữ liệu và nạp lại dữ liệu mẫu"
	@echo "make bench        đo hiệu năng xét điều kiện khen thưởng (100.000 cán bộ; docs/benchmarks.md)"
	@echo "make bench-portal đo tốc độ chuyên trang công khai (10.000 bài viết; docs/benchmarks.md)"
	@echo "make reminders    gửi nhắc hạn theo kế hoạch ngay (thường chạy hằng ngày)"

# uv from PyPI when missing. Debian's system Python refuses plain `pip install
# --user` (PEP 668), hence the fallbacks.
uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || { \
	  echo "Cài đặt uv bằng pip…"; \
	  $(PYTHON) -m pip install --user --quiet uv \
	  || $(PYTHON) -m pip install --user --quiet --break-system-packages uv \
	  || $(PYTHON) -m pip install --quiet uv; }

sync: uv
	$(UV) sync

# DJANGO_HTTPS=0: the embedded server speaks plain HTTP on the loopback, so no
# HTTPS redirect or secure-only cookies. DEBUG stays off; WhiteNoise serves
# the files collected by collectstatic.
run: sync fonts
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) load_demo
	@echo ""
	@echo "Mở http://$(HOST):$(PORT)/ và đăng nhập bằng một tài khoản ở trên. Dừng: Ctrl+C."
	DJANGO_HTTPS=0 $(MANAGE) runserver $(HOST):$(PORT) --noreload

# Debian's Chromium for the browser tests, only if missing and only when we
# may install packages (root with apt-get); otherwise those tests skip.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -n "$${CHROMIUM_PATH:-}" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Cài đặt Chromium (Debian) cho kiểm thử trình duyệt…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    || echo "Không cài được Chromium: các kiểm thử trình duyệt sẽ bị bỏ qua."; \
	  else \
	    echo "Không có Chromium: các kiểm thử trình duyệt sẽ bị bỏ qua (apt-get install chromium)."; \
	  fi; }

# DejaVu Serif draws the Vietnamese letters of the certificates (PDF); installed from
# Debian's packages when missing and we may, otherwise the certificate page says so.
fonts:
	@[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || [ -n "$${THIDUA_FONT_DIR:-}" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Cài đặt phông chữ DejaVu (in giấy chứng nhận)…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core) \
	    || echo "Không cài được phông DejaVu: chưa in được giấy chứng nhận PDF."; \
	  else \
	    echo "Không có phông DejaVu: cài fonts-dejavu-core để in giấy chứng nhận PDF."; \
	  fi; }

# LibreOffice converts a generated report to PDF in one test; without it that test skips.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Cài đặt LibreOffice Writer (kiểm thử xuất báo cáo DOCX)…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui) \
	    || echo "Không cài được LibreOffice: kiểm thử chuyển DOCX sang PDF sẽ bị bỏ qua."; \
	  else \
	    echo "Không có LibreOffice: kiểm thử chuyển DOCX sang PDF sẽ bị bỏ qua."; \
	  fi; }

test: sync chromium libreoffice fonts
	$(UV) run pytest

# Eligibility for 100,000 people in 2,000 units, on SQLite and PostgreSQL (docs/benchmarks.md).
bench: sync
	$(UV) run python bench/eligibility_bench.py --db both

# The public portal's pages over 10,000 published stories, on SQLite and PostgreSQL (docs/benchmarks.md).
bench-portal: sync
	$(UV) run python bench/portal_bench.py --db both

# Deadline reminders now (production runs this daily: docs/deployment.md).
reminders: sync
	$(MANAGE) send_reminders --now

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy .

worker: sync
	$(MANAGE) db_worker

demo-reset: sync
	$(MANAGE) migrate --noinput
	$(MANAGE) flush --noinput
	$(MANAGE) load_demo
