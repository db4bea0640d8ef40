"""Offline language identification with py3langid (light, no download, 97 languages)."""

from __future__ import annotations

from functools import lru_cache

# Below this many letters a guess is noise ("OTAN", "Partager:"): callers fall back.
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.8


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str, default: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``, or ``default`` when the text is too short or the guess unsure."""
    sample = text[:5000]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return default
    lang, confidence = _identifier().classify(sample)
    return lang if confidence >= MIN_CONFIDENCE else default
