import pytest


@pytest.fixture
def people(caseworker, reviewer, county_user, village_user, outsider):
    return {"caseworker": caseworker, "reviewer": reviewer, "county": county_user, "village": village_user,
            "outsider": outsider}
