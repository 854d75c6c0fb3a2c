"""Offline gazetteer and geocoder: place names in news text to countries, admin1s and points."""

from conflictlens.geo.gazetteer import DEMONYM_WEIGHT, Gazetteer, distance_km, same_admin1
from conflictlens.geo.names import normalise_name
from conflictlens.geo.types import GeoContext, GeoHit, Place

__all__ = [
    "DEMONYM_WEIGHT",
    "Gazetteer",
    "GeoContext",
    "GeoHit",
    "Place",
    "distance_km",
    "normalise_name",
    "same_admin1",
]
