"""The CDS Hooks door: services for EHRs (discovery, hook calls, feedback), behind signed JWTs.

``service-definitions.json`` declares the services (``definitions``), one module per service
under ``services/`` turns a call (``call``: prefetch through the FHIR adapter, the engine) into
cards (``cards``, ``orders``); ``prefetch`` fills what the EHR did not send from its FHIR server
under a time budget; ``feedback`` stores what clinicians did with the cards; ``app`` holds the
routes (mounted by ``web.app``). ``security`` verifies the EHR's Bearer JWT on every call and
holds the trusted clients (``clients`` reads the file named by ``JAKGUIDE_CDS_CLIENTS``).
See docs/cds.md.
"""
