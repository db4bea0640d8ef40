"""The lexical bonus: which terms a claim and a sentence share."""

from factcheck.lexical import overlap, terms


def test_terms_fold_accents_numbers_and_word_endings() -> None:
    assert terms("70 % des forces rassemblées") == {"70", "force", "rasse"}
    assert terms("12,5 miles") == terms("12.5 MILES") == {"12.5", "miles"}
    assert terms("Élysée") == terms("elysee")
    assert terms("les et de la the and") == set()


def test_overlap_is_the_share_of_claim_terms_found() -> None:
    claim = terms("70 % des forces rassemblées")
    sentence = "Poutine a rassemblé 70 % du personnel militaire."
    assert overlap(claim, sentence) == 2 / 3
    assert overlap(claim, "Rien à voir.") == 0.0
    assert overlap(set(), sentence) == 0.0
