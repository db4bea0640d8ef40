"""factcheck: find where a claim appears, in what words, in which article and from which date."""

__version__ = "0.1.0"

from .corpus import Corpus, IngestResult  # noqa: E402
from .errors import CorpusError, FactcheckError, IndexBusy, ModelError  # noqa: E402
from .filters import Filters  # noqa: E402
from .models import Article, Match  # noqa: E402

__all__ = [
    "Article",
    "Corpus",
    "CorpusError",
    "FactcheckError",
    "Filters",
    "IndexBusy",
    "IngestResult",
    "Match",
    "ModelError",
    "__version__",
]
