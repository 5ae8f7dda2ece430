from tests.factories import PASSWORD


def login(client, username: str, password: str = PASSWORD) -> None:
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "/login" not in response.headers["Location"], "login refused"
