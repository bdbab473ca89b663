def test_create_and_read_unit(api_as, tree):
    api = api_as("standing")
    r = api.post("/api/v1/units", {"code": "NEW", "name": "Phòng mới", "parent": "KTTV"})
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == "KTTV"
    r = api.get("/api/v1/units/KTTV")
    assert "NEW" in r.json()["children"]
