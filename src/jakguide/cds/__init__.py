"""The CDS Hooks door: services for EHRs (discovery, hook calls, feedback), behind signed JWTs.

``security`` verifies the EHR's Bearer JWT on every call and holds the trusted clients
(``clients`` reads the file named by ``JAKGUIDE_CDS_CLIENTS``).
"""
