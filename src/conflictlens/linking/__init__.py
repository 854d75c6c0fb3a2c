"""Linking: near-duplicate articles, and one event per incident across every report of it."""

from conflictlens.linking.linker import Mention, cluster, cluster_id, compatible, similarity
from conflictlens.linking.merge import Report, ReportDifferences, merge, report_differences
from conflictlens.linking.near_duplicates import (
    Fingerprint,
    fingerprint,
    is_near_duplicate,
    shingles,
    shingles_near_duplicate,
)

__all__ = [
    "Fingerprint",
    "Mention",
    "Report",
    "ReportDifferences",
    "cluster",
    "cluster_id",
    "compatible",
    "fingerprint",
    "is_near_duplicate",
    "merge",
    "report_differences",
    "shingles",
    "shingles_near_duplicate",
    "similarity",
]
