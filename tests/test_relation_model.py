"""The packaged relation model: its torch-free ONNX graph, its verdicts, and how ``relate``
joins them to the rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from factcheck import relations
from factcheck.cli import app
from factcheck.export import bert_graph
from factcheck.relations import AGREES, CONTRADICTS, MODEL_KIND, RELATED, relate

runner = CliRunner()


def _verdict(entail: float, contra: float, reverse: float | None = None) -> dict:
    """A verdict as ``RelationModel.judge`` gives it (for tests of code that does not care
    where the probabilities come from)."""
    scores = {"entailment": entail, "neutral": 1 - entail - contra, "contradiction": contra}
    out = {"label": max(scores, key=scores.__getitem__), "scores": scores}
    if reverse is not None:
        back = {"entailment": reverse, "neutral": 1 - reverse, "contradiction": 0.0}
        out["reverse"] = {"label": max(back, key=back.__getitem__), "scores": back}
    return out


# --- The graph builder (no torch at run time; torch here only as the reference) ----------


def _tiny_bert(torch):
    from transformers import BertConfig, BertModel

    config = {
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "vocab_size": 50,
        "max_position_embeddings": 40,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
        "hidden_act": "gelu",
        "pad_token_id": 1,
    }
    torch.manual_seed(0)
    model = BertModel(BertConfig(**config), add_pooling_layer=False).eval()
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return config, model, state


def _inputs() -> tuple[np.ndarray, np.ndarray]:
    ids = np.array([[0, 5, 9, 13, 2], [0, 7, 2, 1, 1]], dtype=np.int64)
    return ids, (ids != 1).astype(np.int64)


@pytest.mark.parametrize("head", ["embedding", "logits"])
def test_onnx_graph_computes_what_transformers_computes(head: str) -> None:
    """The hand-written graph gives BERT's mean-pooled states (normalised, or through a
    classifier) as transformers computes them, padding included."""
    torch = pytest.importorskip("torch")
    import onnxruntime

    config, model, state = _tiny_bert(torch)
    rng = np.random.default_rng(0)
    classifier = (rng.normal(size=(3, 32)).astype(np.float32), np.zeros(3, np.float32))
    graph = bert_graph(config, state, head, classifier if head == "logits" else None)
    session = onnxruntime.InferenceSession(graph.SerializeToString())
    ids, mask = _inputs()
    got = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    with torch.no_grad():
        states = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
    m = mask[..., None].astype(np.float32)
    pooled = (states.last_hidden_state.numpy() * m).sum(1) / m.sum(1)
    if head == "embedding":
        expected = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    else:
        expected = pooled @ classifier[0].T + classifier[1]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_relation_model_loads_without_torch(tmp_path: Path) -> None:
    """Judging a pair needs ONNX Runtime only: torch is never imported."""
    code = (
        "import sys\n"
        "from factcheck.relation_model import RelationModel\n"
        "RelationModel().predict([('Il pleut.', 'Il ne pleut pas.')])\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- Verdicts of the packaged model on pairs written for these tests ----------------------


@pytest.fixture(scope="module")
def model():
    from factcheck.relation_model import RelationModel

    return RelationModel()


# Written for these tests, never trained or tuned on. The model is not perfect: it reads
# near-identical wording as entailment (the first pair), so the tests ask for most.
CONTRADICTIONS = [
    (
        "Le gouvernement a annoncé jeudi que les écoles resteraient ouvertes tout l'hiver.",
        "Le gouvernement a annoncé jeudi la fermeture de toutes les écoles pour l'hiver.",
    ),
    (
        "Le président a démissionné hier soir.",
        "Le président reste en fonction et n'a pas démissionné.",
    ),
    (
        "L'armée russe s'est retirée de Kherson.",
        "L'armée russe contrôle toujours Kherson et n'a pas quitté la ville.",
    ),
    (
        "Les exportations de blé ont augmenté cette année.",
        "Les exportations de blé ont fortement baissé cette année.",
    ),
    ("The summit was cancelled at the last minute.", "Le sommet s'est tenu comme prévu."),
    ("Personne n'a été blessé dans l'explosion.", "L'explosion a fait des dizaines de blessés."),
]
TRANSLATIONS = [
    (
        "La banque centrale a relevé ses taux d'intérêt pour la troisième fois cette année.",
        "The central bank raised its interest rates for the third time this year.",
    ),
    (
        "Le maire a inauguré un nouveau pont sur la Loire.",
        "The mayor opened a new bridge over the Loire.",
    ),
    ("Deux soldats ont été blessés lors de l'attaque.", "Two soldiers were wounded in the attack."),
    ("Les négociations reprendront la semaine prochaine.", "Negotiations will resume next week."),
]


@pytest.mark.xfail(
    strict=True,
    reason="known weakness of the packaged model: 3 of these 6 (an antonym or a cancelled "
    "event in near-identical wording) read as entailment; see docs/relations.md",
)
def test_model_reads_most_contradictions_as_contradictions(model) -> None:
    labels = [f["label"] for f in model.predict(CONTRADICTIONS)]
    assert labels.count("contradiction") >= 4, labels


def test_a_verdict_does_not_depend_on_the_pairs_read_with_it(model) -> None:
    pairs = CONTRADICTIONS + TRANSLATIONS
    together = model.logits(pairs)
    alone = np.concatenate([model.logits([pair]) for pair in pairs])
    assert np.array_equal(together, alone)


def test_model_reads_translations_as_entailment_both_ways(model) -> None:
    pairs = TRANSLATIONS + [(en, fr) for fr, en in TRANSLATIONS]
    labels = [f["label"] for f in model.predict(pairs)]
    assert labels.count("entailment") >= 7, labels


def test_judge_reads_the_reverse_only_after_entailment(model) -> None:
    """``judge`` asks the other direction only where the first says entailment, and skips
    pairs below the similarity floor."""
    from factcheck.relation_model import model_floor

    pairs = [
        ("The central bank raised its rates.", "La banque centrale a relevé ses taux."),
        ("The central bank raised its rates.", "La banque centrale a baissé ses taux."),
        ("The central bank raised its rates.", "Il a neigé à Lyon."),
    ]
    found = model.judge(pairs, [0.95, 0.95, model_floor() - 0.01])
    assert found[2] == {}
    for verdict in found[:2]:
        entail = verdict["scores"]["entailment"]
        assert ("reverse" in verdict) == (entail >= relations.MODEL_ENTAILMENT), verdict


# --- How relate joins the model to the rules (fake verdicts: the logic, not the meaning) --

NEGATED = ("Le ministre n'a pas démenti la hausse des prix.", "Le ministre a démenti la hausse.")


def test_a_negation_conflict_the_model_reads_as_paraphrase_is_no_contradiction() -> None:
    rules = relate(*NEGATED, similarity=0.95)
    assert rules.relation == CONTRADICTS and rules.evidence[0]["kind"] == "negation"
    sure = (relations.MODEL_OVERRULE + 1) / 2
    both = relate(*NEGATED, similarity=0.95, model=_verdict(sure, 0.0, reverse=sure))
    assert both.relation == AGREES
    assert both.evidence[-1]["kind"] == MODEL_KIND
    assert both.evidence[-1]["overrules"] == ["negation"]
    one_way = relate(*NEGATED, similarity=0.95, model=_verdict(sure, 0.0, reverse=0.1))
    assert one_way.relation == CONTRADICTS  # the rule stands
    assert "overrules" not in one_way.evidence[-1]


def test_a_figure_conflict_stands_whatever_the_model_reads() -> None:
    pair = ("70 % des forces russes sont déployées.", "60 % des forces russes sont déployées.")
    found = relate(*pair, similarity=0.97, model=_verdict(0.95, 0.0, reverse=0.95))
    assert found.relation == CONTRADICTS
    assert [e["kind"] for e in found.evidence] == ["number", MODEL_KIND]


def test_the_model_alone_contradicts_only_pairs_close_enough() -> None:
    pair = ("Il n'y a aucun projet de mobilisation.", "Une deuxième vague de mobilisation vient.")
    high = relations.MODEL_CONTRADICTION + 0.05
    close = relate(*pair, similarity=relations.MODEL_MIN_SIMILARITY + 0.01, model=_verdict(0, high))
    assert close.relation == CONTRADICTS
    far = relate(*pair, similarity=relations.MODEL_MIN_SIMILARITY - 0.01, model=_verdict(0, high))
    assert far.relation == RELATED


def test_a_match_found_by_a_search_needs_more_for_the_model_alone_to_contradict() -> None:
    """What a search returns is mostly about something else: there the model alone needs a
    closer pair, sharing some of its terms; a pair given to compare does not."""
    pair = ("Le sommet de Minsk a été annulé.", "Le sommet de Minsk s'est tenu comme prévu.")
    sure = _verdict(0, max(relations.MODEL_CONTRADICTION, relations.SEARCH_MODEL_CONTRADICTION))
    between = (relations.MODEL_MIN_SIMILARITY + relations.SEARCH_MODEL_MIN_SIMILARITY) / 2
    assert relate(*pair, similarity=between, model=sure).relation == CONTRADICTS
    assert relate(*pair, similarity=between, model=sure, searched=True).relation == RELATED
    close = relations.SEARCH_MODEL_MIN_SIMILARITY + 0.01
    assert relate(*pair, similarity=close, model=sure, searched=True).relation == CONTRADICTS
    other = ("Le sommet de Minsk a été annulé.", "Le prix du blé grimpe en Égypte.")
    assert relate(*other, similarity=close, model=sure, searched=True).relation == RELATED


def test_a_question_found_by_a_search_neither_agrees_nor_contradicts() -> None:
    """A headline that asks states nothing; its differing date is still shown."""
    claim, asked = (
        "Poutine a rencontré Macron le 7 février.",
        "Poutine a-t-il rencontré Macron le 8 février ?",
    )
    assert relate(claim, asked, similarity=0.95).relation == CONTRADICTS
    found = relate(claim, asked, similarity=0.95, searched=True)
    assert found.relation == RELATED
    assert [e["kind"] for e in found.evidence] == ["date"]


@pytest.mark.slow
def test_find_judges_what_it_found_as_a_search_and_compare_as_a_pair(tmp_path: Path) -> None:
    """The same two statements: ``compare`` reads the date conflict as a contradiction,
    ``find``, which found the question, does not (it states nothing)."""
    from factcheck import Corpus
    from factcheck.models import Article

    claim = "Poutine a rencontré Macron au Kremlin le 7 février."
    asked = "Poutine a-t-il rencontré Macron au Kremlin le 8 février ?"
    done = runner.invoke(app, ["compare", claim, asked, "--json"])
    assert json.loads(done.stdout)["relation"] == CONTRADICTS, done.output
    with Corpus.open(tmp_path / "index") as corpus:
        corpus.add([Article(id="question", text=asked, date="2022-02-08", lang="fr")])
        [match] = corpus.find(claim, k=1)
    assert match.text == asked
    assert match.relation == RELATED, match.evidence


def test_agreement_needs_entailment_both_ways_or_a_shared_figure() -> None:
    pair = ("Le Kremlin a nié préparer une invasion.", "Moscou dit ne pas préparer d'invasion.")
    strong = relations.MODEL_ENTAILMENT + 0.05
    weak = relations.MODEL_ENTAILMENT - 0.05
    assert relate(*pair, similarity=0.9, model=_verdict(strong, 0, strong)).relation == AGREES
    assert relate(*pair, similarity=0.9, model=_verdict(strong, 0, weak)).relation == RELATED
    figures = ("Le bilan est de 40 morts à Kyiv.", "40 personnes sont mortes à Kyiv, dit le maire.")
    found = relate(*figures, similarity=0.9, model=_verdict(strong, 0, weak))
    assert found.relation == AGREES, found.evidence


def test_a_pair_the_model_did_not_read_gets_no_model_evidence() -> None:
    found = relate("Il pleut à Paris.", "Le soleil brille à Lyon.", similarity=0.5, model={})
    assert found.relation == RELATED
    assert not [e for e in found.evidence if e["kind"] == MODEL_KIND]


# --- The CLI: on by default, --rules-only turns it off --------------------------------------


@pytest.mark.slow
def test_find_judges_with_the_model_unless_rules_only(seed_corpus) -> None:
    claim = "Poutine a reçu Macron au Kremlin en février 2022"
    index = str(seed_corpus.path)
    kinds = {}
    for flags in ([], ["--rules-only"]):
        done = runner.invoke(app, ["find", claim, "--index", index, "--json", "-k", "5", *flags])
        assert done.exit_code == 0, done.output
        matches = json.loads(done.stdout)["matches"]
        kinds[bool(flags)] = {e["kind"] for m in matches for e in m["evidence"]}
    assert MODEL_KIND in kinds[False]
    assert MODEL_KIND not in kinds[True]


def test_compare_rules_only_leaves_the_model_out() -> None:
    a, b = "Poutine a rencontré Macron lundi.", "Poutine n'a pas rencontré Macron lundi."
    done = runner.invoke(app, ["compare", a, b, "--json", "--rules-only"])
    assert done.exit_code == 0, done.output
    found = json.loads(done.stdout)
    assert found["relation"] == CONTRADICTS
    assert MODEL_KIND not in {e["kind"] for e in found["evidence"]}
    done = runner.invoke(app, ["compare", a, b, "--json"])
    assert done.exit_code == 0, done.output
    assert MODEL_KIND in {e["kind"] for e in json.loads(done.stdout)["evidence"]}
