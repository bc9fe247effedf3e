"""Reading the directory: search by need (taxonomy), by distance from a postcode
and by eligibility (age, circumstances), one service, the ORUK export. The
directory holds no person data; anyone signed in may read it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from joinedup.directory import rules
from joinedup.directory.models import (
    DirectoryImport,
    Location,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from joinedup.directory.oruk import oruk_service
from joinedup.errors import InvalidInput, NotFound

NEEDS_TAXONOMY = "needs"
CIRCUMSTANCES_TAXONOMY = "circumstances"
RESULTS_MAX = 100


@dataclass(frozen=True)
class SearchResult:
    service: Service
    distance_km: float | None
    location: Location | None

    @property
    def distance_label(self) -> str:
        return "" if self.distance_km is None else f"{self.distance_km:.1f} km"


def _loaded(services):
    return services.select_related("organization").prefetch_related(
        "terms",
        "contacts",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location"),
        ),
    )


def directory_needs() -> list[TaxonomyTerm]:
    return list(TaxonomyTerm.objects.filter(taxonomy=NEEDS_TAXONOMY))


def _location_point(location: Location) -> tuple[float, float] | None:
    if location.latitude is not None and location.longitude is not None:
        return (location.latitude, location.longitude)
    centroid = rules.postcode_centroid(location.postal_code)
    return centroid.point if centroid else None


def directory_search(
    *,
    need: str = "",
    text: str = "",
    postcode: str = "",
    within_km: float | None = None,
    age: int | None = None,
    circumstance: str = "",
) -> list[SearchResult]:
    """Active services meeting a need (a needs term's code or id), matching
    words, for someone of `age` in `circumstance`, nearest first from
    `postcode` (and within `within_km` of it)."""
    services = Service.objects.filter(status=ServiceStatus.ACTIVE)
    if need:
        term = TaxonomyTerm.objects.filter(
            Q(code=need) | Q(oruk_id=need), taxonomy=NEEDS_TAXONOMY
        ).first()
        if term is None:
            raise InvalidInput.for_field("need", "choose a need from the list")
        services = services.filter(terms=term)
    if text.strip():
        words = text.strip()[:100]
        services = services.filter(
            Q(name__icontains=words) | Q(description__icontains=words)
        )
    if circumstance:
        # A service naming circumstances serves only people in one of them.
        named = TaxonomyTerm.objects.filter(taxonomy=CIRCUMSTANCES_TAXONOMY)
        services = services.filter(
            ~Q(terms__in=named) | Q(terms__in=named.filter(code=circumstance))
        )
    else:
        circumstance_terms = TaxonomyTerm.objects.filter(
            taxonomy=CIRCUMSTANCES_TAXONOMY
        )
        services = services.exclude(terms__in=circumstance_terms)
    if age is not None:
        if not 0 <= age <= 130:
            raise InvalidInput.for_field("age", "must be between 0 and 130")
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )
    origin = None
    if postcode.strip():
        centroid = rules.postcode_centroid(postcode)
        if centroid is None:
            raise InvalidInput.for_field(
                "postcode", "is not a postcode in the area the directory covers"
            )
        origin = centroid.point
    if within_km is not None and origin is None:
        raise InvalidInput.for_field("postcode", "give a postcode to search near")
    results = []
    for service in _loaded(services.distinct()):
        best: tuple[float | None, Location | None] = (None, None)
        for sal in service.service_at_locations.all():
            point = _location_point(sal.location)
            if origin is None or point is None:
                if best[1] is None:
                    best = (None, sal.location)
                continue
            d = rules.distance_km(origin, point)
            if best[0] is None or d < best[0]:
                best = (d, sal.location)
        if within_km is not None and (best[0] is None or best[0] > within_km):
            continue
        results.append(SearchResult(service, best[0], best[1]))
    results.sort(
        key=lambda r: (r.distance_km is None, r.distance_km or 0.0, r.service.name)
    )
    return results[:RESULTS_MAX]


def service_get(*, service_id: int) -> Service:
    service = _loaded(Service.objects.filter(pk=service_id)).first()
    if service is None:
        raise NotFound(
            f"service: there is no service with id {service_id}",
            fields={"service": "no such service"},
        )
    return service


def directory_export() -> list[dict]:
    """Every service (any status) in the ORUK service shape."""
    return [oruk_service(s) for s in _loaded(Service.objects.order_by("oruk_id"))]


def directory_imports(limit: int = 20) -> list[DirectoryImport]:
    return list(DirectoryImport.objects.select_related("received_by")[:limit])
