import pytest

from pipeline.errors import TaxonomyError
from pipeline.taxonomy import load_taxonomy

# The ids fixed by the annotation guide: annotated files and models use them.
GUIDE_IDS = [
    "cget.capital_social", "cget.catalyseurs", "cget.strategie_long_terme", "cget.ingenierie",
    "cget.partenariats", "cget.territoire_referent", "cget.retours_experience",
    "cget.experimentation", "cget.organisation_collective", "cget.communication",
    "rameau.ecosysteme", "rameau.innovation", "rameau.strategie", "rameau.modele_economique",
    "rameau.alliances", "rameau.numerique", "rameau.evaluation",
]

FRAMEWORK = '[[frameworks]]\nid = "f"\nlabel = "F"\nlabel_en = "F"\nlevel = "projet"\n'


def lever(lever_id: str, framework: str = "f") -> str:
    return (f'[[levers]]\nid = "{lever_id}"\nframework = "{framework}"\nlabel = "L"\n'
            'label_en = "L"\ndescription = "D"\nquestion = "Q ?"\nquestion_en = "Q?"\n')


def test_packaged_taxonomy_has_the_guides_17_levers(taxonomy):
    assert taxonomy.ids == GUIDE_IDS
    assert {f.id for f in taxonomy.frameworks} == {"cget", "rameau"}
    assert all(lever.label and lever.label_en and lever.description for lever in taxonomy.levers)
    # what the report recalls of a lever a document leaves out, in both languages
    assert all(lever.question.endswith(" ?") and lever.question_en.endswith("?") for lever in taxonomy.levers)
    assert "utilité" in taxonomy.lever("rameau.evaluation").question
    assert taxonomy.lever("cget.ingenierie").label == "Compétences en ingénierie"


def test_a_new_framework_needs_no_code(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(FRAMEWORK + lever("f.un") + lever("f.deux"), "utf-8")
    taxonomy = load_taxonomy(path)
    assert taxonomy.ids == ["f.un", "f.deux"]
    assert taxonomy.digest != load_taxonomy().digest


@pytest.mark.parametrize(
    "body, message",
    [
        (FRAMEWORK + lever("f.un") + lever("f.un"), "duplicate lever id 'f.un'"),
        (FRAMEWORK + lever("F.Un"), "malformed id 'F.Un'"),
        (FRAMEWORK + lever("sans_point"), "malformed id"),
        (FRAMEWORK + lever("g.un", framework="g"), "unknown framework 'g'"),
        (FRAMEWORK + lever("g.un"), "does not start with 'f.'"),
        (FRAMEWORK, "no levers"),
        (FRAMEWORK + lever("f.un").replace('label = "L"\n', ""), "'label' is missing"),
        (FRAMEWORK + lever("f.un").replace('question_en = "Q?"\n', ""), "'question_en' is missing"),
        (FRAMEWORK.replace('label_en = "F"\n', "") + lever("f.un"), "'label_en' is missing"),
        ("[[levers]\n", "not valid TOML"),
    ],
)
def test_bad_taxonomies_are_refused_with_a_reason(tmp_path, body, message):
    path = tmp_path / "t.toml"
    path.write_text(body, "utf-8")
    with pytest.raises(TaxonomyError, match=message) as error:
        load_taxonomy(path)
    assert str(path) in str(error.value)


def test_missing_taxonomy_file(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "absent.toml")
