"""Adapters between outside formats and the domain model (FHIR R4: ``jakguide.adapters.fhir``).

Nothing here is imported by the core; the FHIR library is used only inside the adapter.
"""
