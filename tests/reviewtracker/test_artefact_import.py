"""The artefact register import: it flushes, and the edge (the CLI's unit of work) commits."""

from __future__ import annotations

from reviewtracker.demo import write_register
from reviewtracker.extensions import db
from reviewtracker.models import Artefact, ImportBatch, Service
from reviewtracker.services.artefact_import import import_artefact_register
from reviewtracker.unit_of_work import pending_writes, unit_of_work

from .factories import count

# write_register: 23 reviewed and 7 other tranche 1 artefacts, and 32 of tranche 2.
REGISTER_ARTEFACTS = 62


def test_the_import_leaves_the_commit_to_its_caller(app_context, tmp_path):
    register = write_register(tmp_path / "register.xlsx")
    report = import_artefact_register(register)
    assert report.ok and report.added == REGISTER_ARTEFACTS
    assert pending_writes()  # flushed, not committed
    db.session.rollback()
    assert count(Artefact) == count(Service) == count(ImportBatch) == 0

    with unit_of_work():
        import_artefact_register(register)
    db.session.rollback()  # nothing left to roll back: the unit of work committed it
    assert count(Artefact) == REGISTER_ARTEFACTS and count(ImportBatch) == 1


def test_dry_run_on_the_command_line_writes_nothing(app, runner, tmp_path):
    register = str(write_register(tmp_path / "register.xlsx"))
    result = runner.invoke(args=["import-artefacts", "--dry-run", register])
    assert result.exit_code == 0, result.output
    assert f"would add {REGISTER_ARTEFACTS}, updated 0, unchanged 0" in result.output
    with app.app_context():
        assert count(Artefact) == count(Service) == count(ImportBatch) == 0

    result = runner.invoke(args=["import-artefacts", register])
    assert f"added {REGISTER_ARTEFACTS}, updated 0, unchanged 0" in result.output
    with app.app_context():
        assert count(Artefact) == REGISTER_ARTEFACTS and count(ImportBatch) == 1
