"""Reference data the readers need: constituencies and artefact document types.

The constituency list is the one in the DAG #8 pack's constituency table, in its order.
"""

from __future__ import annotations

CONSTITUENCIES: tuple[str, ...] = (
    "Other- IT Service Provider",
    "Supplier Agent- Independent",
    "Central Systems Provider- Elexon",
    "Supplier- Large",
    "Distributor- IDNO",
    "Distributor- DNO",
    "Other- Code Body",
    "Central Systems Provider- Smart DCC",
    "National Grid ESO",
    "Supplier Agent",
    "Supplier- Small",
    "Supplier- Medium",
    "Supplier- I&C",
)

# Artefact reference prefix -> document type, as the programme's tracker names them.
DOCUMENT_TYPES: dict[str, str] = {
    "BP": "Business Process Diagram",
    "BPD": "Business Process Description",
    "BRS": "Business Requirements",
    "IF": "Interface Specification",
    "METH": "Method Statement",
    "DES": "Design Artefact",
    "DIN": "Design Issue Notification",
    "PSL": "Physical Specification",
    "TA": "Technical Architecture",
    "SEC": "Security Artefact",
}

TRANCHES: tuple[str, ...] = ("1", "2", "3", "4", "TBC")
