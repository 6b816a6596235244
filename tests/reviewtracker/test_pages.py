"""The read-only dashboard pages show the same rollups as the CLI."""

from reviewtracker.demo import load_demo


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/tranches/1")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_index_and_tranche_pages(app, client, login):
    login("viewer")
    with app.app_context():
        load_demo()
    index = client.get("/")
    assert index.status_code == 200
    assert b"Tranche 1" in index.data
    page = client.get("/tranches/1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "BP004- Data Collection" in html and ">707<" in html
    assert "Supplier- I&amp;C" in html  # zero rows are listed, escaped
    assert client.get("/tranches/1/rounds/1").status_code == 200
    assert client.get("/tranches/1/rounds/9").status_code == 404
    assert client.get("/tranches/7").status_code == 404
