"""FHIR R4 <-> the domain model: the only package that imports a FHIR library.

``bundle`` reads Bundles and Bulk Data exports, ``read`` maps resources to our ``Patient``,
``meds`` maps medicines, immunizations and allergies, ``write`` builds a Bundle from a ``Patient``,
``codes`` holds the code tables (data in ``codes.yaml``), ``util`` the shared lookups;
``assessment_out`` writes an assessment as FHIR (DetectedIssue, MedicationRequest, ServiceRequest,
CarePlan) for ``assess --format fhir``, the API and CDS Hooks suggestions.
"""

from jakguide.adapters.fhir.bundle import (
    FHIR_VERSION,
    FhirPatient,
    looks_like_fhir,
    read_bundle,
    read_ndjson,
)
from jakguide.adapters.fhir.write import patient_to_bundle

__all__ = [
    "FHIR_VERSION",
    "FhirPatient",
    "looks_like_fhir",
    "patient_to_bundle",
    "read_bundle",
    "read_ndjson",
]
