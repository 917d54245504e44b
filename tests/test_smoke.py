def test_sectors_exist(db):
    from units.models import Sector

    assert Sector.objects.count() == 5
