"""Calibrated confidence: the probability that an extracted record is right, from what the extractor
knows about it when it codes it.

"Right" is evaluate.RELIABILITY_FIELDS's definition: the record matches a real incident and its
date, event type, admin1 and fatalities are right. The model is a logistic regression over a few
features of the record (FEATURES, plus one per flag); its weights live in data/confidence.yaml and
are fitted by bench/calibrate_confidence.py, so the code holds only what each feature measures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from conflictlens.models import Event

FLAG_FEATURE_PREFIX = "flag:"
# A record is never certain, nor certainly wrong; two decimals are all a reader can use.
CONFIDENCE_FLOOR, CONFIDENCE_CEILING = 0.01, 0.99
EVIDENCE_ITEMS_CAP = 10

FEATURES: dict[str, Callable[[Event], float]] = {
    "date_day": lambda e: float(e.event_date is not None and e.time_precision == 1),
    "place_point": lambda e: float(e.latitude is not None and e.geo_precision in (1, 2)),
    "actor1_named": lambda e: float(e.actor1 is not None),
    "actor2_named": lambda e: float(e.actor2 is not None),
    "fatalities_stated": lambda e: float(e.fatalities is not None),
    "sources_cited": lambda e: float(bool(e.sources)),
    # Scaled to 0..1 so its weight reads like the others': the effect of a fully evidenced record.
    "evidence_items": lambda e: min(len(e.evidence), EVIDENCE_ITEMS_CAP) / EVIDENCE_ITEMS_CAP,
    "aggregate": lambda e: float(e.kind == "aggregate"),
}


class ConfidenceModelError(ValueError):
    """A confidence model file that cannot be used; the message names the file and the key."""


def features(event: Event) -> dict[str, float]:
    """The model's inputs for one record: every named feature, and 1.0 for each flag it carries."""
    values = {name: measure(event) for name, measure in FEATURES.items()}
    values.update({f"{FLAG_FEATURE_PREFIX}{flag}": 1.0 for flag in event.flags})
    return values


@dataclass(frozen=True)
class ConfidenceModel:
    """logit(P(right)) = intercept + sum of weight * feature; a feature with no weight counts 0."""

    intercept: float
    weights: Mapping[str, float]

    def logit(self, values: Mapping[str, float]) -> float:
        """log odds of being right for a record with these feature values (see `features`)."""
        return self.intercept + sum(
            weight * values.get(name, 0.0) for name, weight in self.weights.items()
        )

    def probability(self, values: Mapping[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.logit(values)))

    def confidence(self, event: Event) -> float:
        """The probability as stored on a record: two decimals, never 0 or 1."""
        return stored_confidence(self.probability(features(event)))

    @classmethod
    def from_yaml(cls, text: str, source: str) -> ConfidenceModel:
        data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise ConfidenceModelError(f"{source}: expected a mapping with intercept and weights")
        intercept = data.get("intercept")
        if not _is_number(intercept):
            raise ConfidenceModelError(f"{source}: key 'intercept': expected a number")
        weights = data.get("weights")
        if not isinstance(weights, dict) or not all(_is_number(w) for w in weights.values()):
            raise ConfidenceModelError(f"{source}: key 'weights': expected feature: number pairs")
        unknown = [
            name
            for name in weights
            if name not in FEATURES and not str(name).startswith(FLAG_FEATURE_PREFIX)
        ]
        if unknown:
            raise ConfidenceModelError(
                f"{source}: key 'weights': unknown feature {', '.join(map(repr, unknown))}"
                f" (known: {', '.join(FEATURES)}, or {FLAG_FEATURE_PREFIX}<flag>)"
            )
        return cls(float(intercept), {str(k): float(v) for k, v in weights.items()})


def stored_confidence(probability: float) -> float:
    return round(min(CONFIDENCE_CEILING, max(CONFIDENCE_FLOOR, probability)), 2)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@cache
def default_model() -> ConfidenceModel:
    text = resources.files("conflictlens.data").joinpath("confidence.yaml").read_text("utf-8")
    return ConfidenceModel.from_yaml(text, "conflictlens/data/confidence.yaml")


def confidence(event: Event) -> float:
    """The calibrated confidence of a record under the shipped model."""
    return default_model().confidence(event)
