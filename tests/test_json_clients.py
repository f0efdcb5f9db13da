"""The JSON document's clients, written from the analysis' columns, are the documents of
`Analysis.clients` (the reference: one `ClientResult` per client, touchpoints named)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from clientchain import analyze, load, loads
from clientchain.analyses.analyze import Analysis
from clientchain.render.analysis.json_doc import client_document, client_documents
from tests.conftest import EXAMPLES
from tests.oracle import OrgSpec
from tests.orgs import org_specs, render_yaml


def assert_same_clients(analysis: Analysis) -> None:
    assert client_documents(analysis) == [client_document(c) for c in analysis.clients]


@pytest.mark.parametrize("org", sorted(EXAMPLES.glob("*/org.yaml")), ids=lambda p: p.parent.name)
def test_shipped_examples(org: Path) -> None:
    assert_same_clients(analyze(load(org)))


def test_owners_titles_departments_and_a_client_nobody_serves() -> None:
    text = """
        org: clients
        clients:
          - id: acme
            title: Acme "Corp"
            owner: sales-lead
          - id: globex
          - id: initech
            title: Never pays
        roles:
          - id: ceo
          - id: sales-lead
            reports_to: ceo
            department: sales
          - id: rep
            reports_to: sales-lead
            department: sales
          - id: support
            reports_to: ceo
            department: service
        flows:
          - {from: acme, to: rep, amount: 1000.5}
          - {from: acme, to: support, amount: 250}
          - {from: globex, to: support, amount: 700}
          - {from: rep, to: ceo, amount: 300}
    """
    analysis = analyze(loads(textwrap.dedent(text).lstrip("\n"), source="org.yaml"))
    documents = client_documents(analysis)
    assert [d["id"] for d in documents] == ["acme", "globex", "initech"]
    assert documents[0]["owner"] == "sales-lead"
    assert documents[0]["departments"] == ["sales", "service"]
    assert documents[2]["touchpoints"] == 0
    assert documents[2]["lowest_common_boss"] is None
    assert_same_clients(analysis)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=org_specs())
def test_random_orgs(org: OrgSpec) -> None:
    assert_same_clients(analyze(loads(render_yaml(org), source="org.yaml")))
