from pipeline.extract import extract
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


QUESTION = "Quel est notre objectif de coopération ?"
COOPERATION = [
    ["Sommaire", "Introduction ........................................ 2",
     "Notre stratégie ........................................ 3",
     "Nos partenaires ........................................ 4"],
    ["Glossaire", "ANCT : Agence nationale de la cohésion des territoires",
     "CRTE : Contrat de relance et de transition écologique", "PETR : Pôle d'équilibre territorial et rural"],
    [QUESTION,
     "Les communes du plateau mutualisent leurs services techniques avec la communauté d'agglomération "
     "voisine, dans le cadre d'une convention signée pour six ans et suivie par un comité des maires.",
     "Le comité de pilotage réunit chaque trimestre les élus, les associations et les habitants tirés au sort "
     "du territoire, avec les techniciens des deux intercommunalités et les partenaires financiers, pour"],
    ["arbitrer les actions du programme de coopération, en suivre les résultats et décider chaque année de "
     "celles qu'il faut prolonger ou arrêter au vu du bilan présenté par les services.",
     QUESTION,
     "Une convention de partenariat lie le territoire aux deux intercommunalités voisines depuis 2021 ; "
     "elle organise le partage de l'ingénierie et des données entre les trois territoires.",
     "Figure 3 : carte des coopérations engagées entre les trois intercommunalités"],
    ["Gouvernance et coopération"],
]


def test_a_paragraph_cut_by_a_page_break_is_one_passage(make_pdf, nlp):
    passages = segment(extract(make_pdf("plan.pdf", COOPERATION, header="Projet de territoire 2030")), "d", nlp)
    whole = [p for p in passages if p.text.startswith("Le comité de pilotage")]
    assert len(whole) == 1 and whole[0].page == 3 and whole[0].kind == "paragraph"
    assert whole[0].text.endswith("au vu du bilan présenté par les services.")
    assert not [p for p in passages if p.text[:1].islower()]


def test_what_only_names_a_subject_is_kept_but_marked(make_pdf, nlp):
    passages = segment(extract(make_pdf("plan.pdf", COOPERATION, header="Projet de territoire 2030")), "d", nlp)
    kinds = {p.text.split()[0]: p.kind for p in passages}
    assert (kinds["Sommaire"], kinds["Glossaire"], kinds["Figure"], kinds["Gouvernance"]) == (
        "toc", "glossary", "caption", "heading")
    questions = [p for p in passages if QUESTION in p.text]
    assert [(p.page, p.text, p.kind) for p in questions] == [(3, QUESTION, "repeated"), (4, QUESTION, "repeated")]
    assert {p.kind for p in passages if p.text.startswith(("Les communes", "Une convention"))} == {"paragraph"}


def test_list_items_keep_their_lead_in_across_a_page_and_in_a_sub_list(nlp):
    pages = [
        Page(1, "La commune s'engage à :\n\n- réunir les partenaires ;\n\n- Garantir à l'équipe :\n\n"
                "- toute latitude pour associer les habitants ;"),
        Page(2, "- toute autorité sur le budget du service.\n\nLe comité se réunit chaque mois."),
    ]
    assert texts(segment(pages, "d", nlp)) == [
        "La commune s'engage à : réunir les partenaires ;",
        "La commune s'engage à : Garantir à l'équipe : toute latitude pour associer les habitants ;",
        "La commune s'engage à : Garantir à l'équipe : toute autorité sur le budget du service.",
        "Le comité se réunit chaque mois.",
    ]
    assert [p.kind for p in segment(pages, "d", nlp)] == ["list_item"] * 3 + ["paragraph"]


def test_a_text_the_document_writes_on_several_pages_is_repeated(nlp):
    box = "L'engagement des partenaires est signé pour six mois. Il est renouvelé au vu du bilan."
    pages = [Page(1, f"La commune anime un réseau de tiers-lieux.\n\n{box}"),
             Page(2, f"{box}\n\nLe comité se réunit chaque mois. Il rend compte aux élus.")]
    assert [(p.page, p.kind) for p in segment(pages, "d", nlp)] == [
        (1, "paragraph"), (1, "repeated"), (2, "repeated"), (2, "paragraph")]


def test_lettered_items_lose_their_letter_and_keep_their_lead_in(nlp):
    page = Page(1, "La convention engage les signataires sur deux actions :\n\n"
                   "a) la réhabilitation de l'ancienne halle du marché en tiers-lieu ;\n\n"
                   "b. la création d'un guichet unique de l'habitat pour les propriétaires.")
    texts = [p.text for p in segment([page], "c.pdf", nlp)]
    assert texts == [
        "La convention engage les signataires sur deux actions : la réhabilitation de l'ancienne halle du "
        "marché en tiers-lieu ;",
        "La convention engage les signataires sur deux actions : la création d'un guichet unique de "
        "l'habitat pour les propriétaires.",
    ]
