from pipeline.segment import MAX_SENTENCES, segment
from pipeline.types import Page


def texts(passages):
    return [p.text for p in passages]


def test_paragraphs_become_passages_with_their_page(nlp):
    pages = [
        Page(1, "La commune compte 2 350 habitants.\n\nUn comité de pilotage réunit les élus."),
        Page(2, "Le tiers-lieu accueille des porteurs de projets chaque mois."),
    ]
    passages = segment(pages, "doc.pdf", nlp)
    assert texts(passages) == [
        "La commune compte 2 350 habitants.",
        "Un comité de pilotage réunit les élus.",
        "Le tiers-lieu accueille des porteurs de projets chaque mois.",
    ]
    assert [p.page for p in passages] == [1, 1, 2]
    assert [p.index for p in passages] == [0, 1, 2]
    assert {p.document for p in passages} == {"doc.pdf"}


def test_lines_are_joined_and_hyphenation_repaired(nlp):
    page = Page(1, "Le projet vise le dévelop-\npement des services\nde proximité en milieu rural.")
    assert texts(segment([page], "d", nlp)) == [
        "Le projet vise le développement des services de proximité en milieu rural."
    ]


def test_heading_opens_its_paragraph_and_list_items_keep_their_lead_in(nlp):
    page = Page(1, "Axe 2 – Gouvernance\n\nLe projet repose sur trois instances :\n\n"
                   "• un comité de pilotage annuel ;\n\n• un comité technique mensuel.")
    assert texts(segment([page], "d", nlp)) == [
        "Axe 2 – Gouvernance Le projet repose sur trois instances : un comité de pilotage annuel ;",
        "Axe 2 – Gouvernance Le projet repose sur trois instances : un comité technique mensuel.",
    ]


def test_long_paragraphs_are_cut_at_sentence_boundaries(nlp):
    sentences = [f"La commune numéro {i} rénove son école primaire cette année." for i in range(14)]
    passages = segment([Page(3, " ".join(sentences))], "d", nlp)
    assert len(passages) == 3
    assert all(1 <= p.text.count(".") <= MAX_SENTENCES for p in passages)
    assert " ".join(texts(passages)) == " ".join(sentences)
    assert {p.page for p in passages} == {3}


def test_scraps_too_short_to_be_passages_are_dropped(nlp):
    assert segment([Page(1, "12\n\n— 4 —")], "d", nlp) == []


def test_hyphen_at_a_line_end_follows_the_documents_own_spelling(nlp):
    pages = [
        Page(1, "Le territoire accueille un éco-\nquartier et un tiers-\nlieu pour la période 2020-\n2026."),
        Page(2, "Un écoquartier de plus, et un second tiers-lieu."),
    ]
    assert texts(segment(pages, "d", nlp))[0] == (
        "Le territoire accueille un écoquartier et un tiers-lieu pour la période 2020-2026."
    )
