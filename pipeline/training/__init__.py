"""The training side: annotated corpora, training, evaluation, suggestions for annotation, model cards.

Nothing in the analysis stages imports from here; this package may import them."""
