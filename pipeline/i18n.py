"""The words of the report and of the CLI, in French (the default) and English.

One catalogue per language, keyed alike; `translator(lang)` gives the function
that the CLI and the report's template call as `t("key", name=value)`. The
levers' own labels and questions are in the taxonomy, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("fr", "en")
DEFAULT_LANG = "fr"

FR: dict[str, str] = {
    # report.html: the first screen
    "title": "Leviers d'innovation : rapport de couverture",
    "run_line": "Documents analysés : {analysed} sur {found}",
    "failed_link": "{failed} en échec",
    "brief": "En bref",
    "corpus_sentence": "Les {documents} documents traitent en moyenne {mean} leviers sur {levers}. "
                       "Levier le plus traité : {top} ({top_count} documents sur {documents}). "
                       "Le moins traité : {bottom} ({bottom_count} sur {documents}).",
    "document_sentence": "Ce document traite {treated} sur {levers}, dont {strong} de façon appuyée.",
    "lever_noun": "levier",
    "by_framework": "{framework} : {covered} sur {levers}",
    "left_out_short": "Non traités : {count}",
    "read_more": "Détail du document",
    "no_document": "Aucun document n'a pu être analysé.",
    # the heatmap
    "heatmap": "Leviers × documents",
    "heatmap_intro": "Chaque case donne le score d'un document pour un levier (celui de son meilleur passage) ; "
                     "✓ marque les leviers traités de façon appuyée, ◐ ceux traités faiblement. "
                     "Cliquez sur le nom d'un document pour son détail.",
    "heatmap_aria": "Carte des scores des documents par levier",
    "cell_tip": "{document} : {label}, score {score}, {passages}, {level}",
    "level_strong": "traité de façon appuyée",
    "level_weak": "traité faiblement",
    "level_none": "non traité",
    "score": "score",
    # the corpus tables
    "corpus": "Corpus",
    "documents_caption": "Documents, par nombre de leviers traités",
    "levers_caption": "Leviers, par nombre de documents qui les traitent",
    "rank": "Rang",
    "document": "Document",
    "levers_covered": "Leviers traités",
    "pages": "Pages",
    "passages": "Passages",
    "lever": "Levier",
    "framework": "Référentiel",
    "documents": "Documents",
    "share": "Part",
    "percent": "{value} %",
    # a document's section
    "facts": "{pages}, {passages} ; leviers traités : {counts}",
    "bars_aria": "Scores par levier : {framework}",
    "bar_tip": "score {score} ; passages qui le portent : {count}",
    "gaps": "Ce que le document laisse de côté",
    "gaps_intro": "Pour chaque levier absent ou à peine évoqué, ce que le référentiel demande d'y écrire.",
    "gap_few": "passages qui le portent : {count}, il en faut {min}",
    "gap_best": "meilleur score {score}",
    "gap_weak": "traité faiblement",
    "no_gap": "Aucun : tous les leviers sont traités.",
    "evidence": "Citations pour les leviers traités",
    "quote_footer": "page {page}, score {score}",
    "no_evidence": "Aucun levier n'est traité.",
    "vigilance": "Points de vigilance",
    "vigilance_intro": "Passages où le document constate qu'un levier manque, ou le nie : ils ne comptent pas pour "
                       "le couvrir.",
    # the appendix
    "appendix": "Annexe : comment lire ce rapport",
    "appendix_scores": "Chaque passage reçoit pour chaque levier un score de 0 à 1 ; un passage "
                       "porte un levier à partir de {decision}. Le score : {formula}.",
    "formula": "s = p / (2t) si p < t, sinon s = 0,5 + (p − t) / (2(1 − t)), où p est la probabilité, selon "
               "le modèle, que le passage traite le levier, et t le seuil du levier, choisi par validation "
               "croisée sur le corpus d'entraînement ; le score d'un document est le plus haut s de ses passages",
    "appendix_cues": "Les scores du modèle sont ensuite corrigés par des indices d'expert (les expressions de "
                     "cues.toml, surlignées dans les citations) : un levier gagne {lift} quand un indice fort est "
                     "dans le passage et que le modèle lui donne au moins {floor}, et perd {penalty} quand aucun "
                     "indice ne le signale ; au plus {max} leviers par passage. Un levier sans modèle entraîné est "
                     "noté {strong} avec un indice fort, {weak} avec un indice faible.",
    "appendix_cues_only": "Notés par leurs seuls indices, faute de modèle entraîné pour eux : {levers}.",
    "appendix_rule": "Règle de couverture de cette analyse :",
    "rule": "un document traite un levier quand au moins {min} de ses passages le portent (score ≥ {decision})",
    "rule_high": ", ou quand un passage atteint au moins {high}",
    "rule_strong": " ; il le traite de façon appuyée (✓, sinon ◐) quand {ways}",
    "strong_score": "un passage atteint au moins {score}",
    "strong_passages": "au moins {count} passages le portent",
    "or": " ou quand ",
    "appendix_hover": "Les leviers sont regroupés par référentiel ; survolez le nom d'un levier pour sa description. "
                      "Les fichiers CSV donnent les mêmes chiffres, avec des noms de colonnes en anglais "
                      "(voir le README).",
    "run_details": "Analyse de {input}, {passages} ; modèle {model} ; lancée le {started}, leviers {version}.",
    "errors": "Ce qui n'a pas pu être lu",
    "errors_intro": "Documents laissés hors du rapport, ou analysés sans certaines de leurs pages (comme dans "
                    "errors.csv).",
    "stage": "Étape",
    "reason": "Raison",
    # the CLI
    "analysing": "Analyse de {input} : {count} …",
    "doc_done": "  ✓ {name} : {pages}, {passages} ; leviers traités : {levers}",
    "doc_missing": "      non traités : {levers}",
    "doc_failed": "  ✗ {name} : {error}",
    "analysed": "Documents analysés : {analysed} sur {found} ; rapports dans {output}/, à lire dans un navigateur : "
                "{report}",
    "some_failed": "{count} document(s) en échec : voir {errors}",
    "some_partial": "{count} document(s) dont des pages n'ont pas pu être lues, listés dans {errors}{why}",
    "progress": "Documents :",
    "progress_passages": "Analyse des passages :",
    "progress_folds": "Validation croisée :",
    "not_learnt": "{count} levier(s) ont moins de {min} exemples et ne peuvent pas être appris ; ils ne seront "
                  "repérés que par leurs indices (cues.toml) : {levers}. "
                  "Annotez davantage de passages pour eux, ou entraînez sans --no-base "
                  "pour y ajouter le corpus fourni.",
    "scored": "{count} passages notés dans {output}",
    "left_out_tasks": "; {count} tâche(s) sans annotation laissée(s) de côté",
    "gold": "{gold} ({passages} passages{left_out})",
    "crossval": "Validation croisée des vues {views} sur {passages} passages ({method}) :",
    "training": "Entraînement sur {files} fichier(s){base} …",
    "with_base": " et le corpus fourni",
    "trained_on": "{passages} passages de {files} fichier(s){left_out}",
    "cv": "Validation croisée ({method}) :",
    "model_written": "Modèle écrit dans {output}/",
    "suggested": "{count} passages de {documents} document(s), près du seuil de {levers} levier(s) : {jsonl}, {table}",
    "label_studio": "Pour Label Studio : importez {tasks}, avec la configuration d'annotation {config}",
    "choose_views": "choisissez parmi {views}",
    "error": "Erreur : {message}",
}

EN: dict[str, str] = {
    "title": "Innovation levers: coverage report",
    "run_line": "{analysed} of {found} documents analysed",
    "failed_link": "{failed} failed",
    "brief": "In brief",
    "corpus_sentence": "The {documents} documents address {mean} levers out of {levers} on average. "
                       "Most addressed lever: {top} ({top_count} documents out of {documents}). "
                       "Least addressed: {bottom} ({bottom_count} out of {documents}).",
    "document_sentence": "This document addresses {treated} out of {levers}, {strong} of them strongly.",
    "lever_noun": "lever",
    "by_framework": "{framework}: {covered} out of {levers}",
    "left_out_short": "Left out: {count}",
    "read_more": "Document detail",
    "no_document": "No document could be analysed.",
    "heatmap": "Levers × documents",
    "heatmap_intro": "Each cell is a document's score for a lever (its best passage's); ✓ marks the levers "
                     "addressed strongly, ◐ those addressed weakly. Click a document's name for its detail.",
    "heatmap_aria": "Heatmap of the documents' scores per lever",
    "cell_tip": "{document}: {label}, score {score}, {passages}, {level}",
    "level_strong": "addressed strongly",
    "level_weak": "addressed weakly",
    "level_none": "not addressed",
    "score": "score",
    "corpus": "Corpus",
    "documents_caption": "Documents, by the number of levers they address",
    "levers_caption": "Levers, by the number of documents that address them",
    "rank": "Rank",
    "document": "Document",
    "levers_covered": "Levers addressed",
    "pages": "Pages",
    "passages": "Passages",
    "lever": "Lever",
    "framework": "Framework",
    "documents": "Documents",
    "share": "Share",
    "percent": "{value}%",
    "facts": "{pages}, {passages}; levers addressed: {counts}",
    "bars_aria": "Scores per lever: {framework}",
    "bar_tip": "score {score}; passages carrying it: {count}",
    "gaps": "What the document leaves out",
    "gaps_intro": "For each lever left out or barely touched, what the framework asks to write about it.",
    "gap_few": "passages carrying it: {count}, fewer than {min}",
    "gap_best": "best score {score}",
    "gap_weak": "addressed weakly",
    "no_gap": "None: every lever is addressed.",
    "evidence": "Quotes for the levers it addresses",
    "quote_footer": "page {page}, score {score}",
    "no_evidence": "No lever is addressed.",
    "vigilance": "Points to watch",
    "vigilance_intro": "Passages where the document notes that a lever is missing, or denies it: they do not count "
                       "towards covering it.",
    "appendix": "Appendix: how to read this report",
    "appendix_scores": "Each passage gets a score per lever from 0 to 1; a passage carries a lever "
                       "from {decision} up. The score: {formula}.",
    "formula": "s = p / (2t) when p < t, else s = 0.5 + (p − t) / (2(1 − t)), where p is the model's "
               "probability that the passage addresses the lever and t the lever's threshold, chosen by "
               "cross-validation on the training corpus; a document's score is the highest s of its passages",
    "appendix_cues": "The model's scores are then moved by expert cues (the phrases of cues.toml, highlighted in "
                     "the quotes): a lever gains {lift} when a strong cue is in the passage and the model gives it "
                     "at least {floor}, and loses {penalty} when no cue speaks for it; at most {max} levers a "
                     "passage. A lever without a trained model scores {strong} with a strong cue, {weak} with a "
                     "weak one.",
    "appendix_cues_only": "Scored from their cues alone, no model having been trained for them yet: {levers}.",
    "appendix_rule": "Coverage rule of this run:",
    "rule": "a document covers a lever when at least {min} of its passages carry it (score ≥ {decision})",
    "rule_high": ", or when one passage scores at least {high}",
    "rule_strong": "; it covers it strongly (✓, else ◐) when {ways}",
    "strong_score": "one passage scores at least {score}",
    "strong_passages": "at least {count} passages carry it",
    "or": " or when ",
    "appendix_hover": "Levers are grouped by framework; hover over a lever's name for its description. "
                      "The CSV files hold the same figures (see the README for their columns).",
    "run_details": "Analysis of {input}, {passages}; model {model}; run {started}, leviers {version}.",
    "errors": "What could not be read",
    "errors_intro": "Documents left out of the report, or analysed without some of their pages (as in errors.csv).",
    "stage": "Stage",
    "reason": "Reason",
    "analysing": "Analysing {input}: {count} …",
    "doc_done": "  ✓ {name}: {pages}, {passages}; levers covered: {levers}",
    "doc_missing": "      not covered: {levers}",
    "doc_failed": "  ✗ {name}: {error}",
    "analysed": "{analysed} of {found} documents analysed; reports in {output}/, to read in a browser: {report}",
    "some_failed": "{count} document(s) failed: see {errors}",
    "some_partial": "{count} document(s) with pages that could not be read, listed in {errors}{why}",
    "progress": "Documents:",
    "progress_passages": "Analysing passages:",
    "progress_folds": "Cross-validation:",
    "not_learnt": "{count} lever(s) have fewer than {min} examples and cannot be learnt; they will be found by "
                  "their cues alone (cues.toml): {levers}. "
                  "Annotate more passages for them, or train without --no-base to add the shipped "
                  "corpus.",
    "scored": "{count} passages scored into {output}",
    "left_out_tasks": "; {count} task(s) without annotation left out",
    "gold": "{gold} ({passages} passages{left_out})",
    "crossval": "Cross-validation of views {views} on {passages} passages ({method}):",
    "training": "Training on {files} file(s){base} …",
    "with_base": " and the shipped corpus",
    "trained_on": "{passages} passages from {files} file(s){left_out}",
    "cv": "Cross-validation ({method}):",
    "model_written": "Model written to {output}/",
    "suggested": "{count} passages from {documents} document(s), near the threshold of {levers} lever(s): "
                 "{jsonl}, {table}",
    "label_studio": "For Label Studio: import {tasks}, with the labelling config {config}",
    "choose_views": "choose among {views}",
    "error": "Error: {message}",
}

CATALOGUES = {"fr": FR, "en": EN}

# Nouns counted in messages, with their plural; French keeps 0 and 1 singular.
NOUNS = {
    "fr": {"page": "pages", "passage": "passages", "document": "documents", "levier": "leviers"},
    "en": {"page": "pages", "passage": "passages", "document": "documents", "lever": "levers"},
}


def number(value: float, lang: str, digits: int = 2) -> str:
    """A decimal as its readers write it: 0,95 in French, 0.95 in English."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def plural(count: int, noun: str, lang: str) -> str:
    """'1 page', '3 pages'; in French '0 page' too."""
    one = count in (0, 1) if lang == "fr" else count == 1
    return f"{count} {noun if one else NOUNS[lang].get(noun, noun + 's')}"


def translator(lang: str) -> Callable[..., str]:
    """The function that gives a message in `lang`, its {fields} filled in."""
    catalogue = CATALOGUES[lang]

    def t(key: str, **fields: object) -> str:
        return catalogue[key].format(**fields)

    return t
