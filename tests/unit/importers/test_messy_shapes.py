"""Exports as reviewers' files really look: bent formats are read, with a warning naming the
line; nothing is dropped silently. Each case starts from a real export and bends it the
way the format is bent in the wild, or writes the vendor's documented layout.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.errors import ImportFormatError
from reviewflow.importers import import_file, read_export

from .conftest import EXPORTS
from .writers import WRITERS, Ref


def _write(tmp_path: Path, text: str, name: str = "export.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _titles(path: Path) -> list[str]:
    return import_file(path, search_id="s")["title"].tolist()


# --------------------------------------------------------------------------------------
# What the issue lists as lost: it survives import in every format


ISSUE_RECORD = Ref(
    title="Mortality was lower (P < 0.001) for those aged <65 years and >80: a<b and c>d",
    abstract='Plots of &lt;200ha … &gt;400ha; CO2 [ppm] #3 {braces} "quoted" 50% US$5 R&D',
    doi="10.1892/0891-6640(2007)21[394:GCOARH]2.0.CO;2",
    authors=(("Kowalska", "Anna Maria"), ("Nowak", "Jan")),
    year="2007",
    native="123",
)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_issue_examples_survive_every_format(fmt: str, tmp_path: Path) -> None:
    path = _write(tmp_path, WRITERS[fmt]([ISSUE_RECORD]))
    record = import_file(path, search_id="s").iloc[0]
    assert record["title"] == ISSUE_RECORD.title
    assert record["abstract"] == (
        'Plots of <200ha … >400ha; CO2 [ppm] #3 {braces} "quoted" 50% US$5 R&D'
    )
    assert record["doi"] == "10.1892/0891-6640(2007)21[394:gcoarh]2.0.co;2"
    assert record["authors"] == "Kowalska, Anna Maria; Nowak, Jan"


# --------------------------------------------------------------------------------------
# RIS


def test_ris_with_one_space_tags(tmp_path: Path) -> None:
    text = (EXPORTS / "ris/proquest.ris").read_text(encoding="utf-8")
    bent = _write(tmp_path, re.sub(r"(?m)^([A-Z][A-Z0-9])  -", r"\1 -", text), "one.ris")
    parsed = read_export(bent)
    assert parsed.format == "ris"
    assert _titles(bent) == _titles(EXPORTS / "ris/proquest.ris")
    assert [w.message.startswith("tags written with one space") for w in parsed.warnings] == [True]


def test_ris_comment_lines_between_records(tmp_path: Path) -> None:
    text = (EXPORTS / "ris/proquest.ris").read_text(encoding="utf-8")
    commented = re.sub(r"(?m)^(ER  -.*)$", r"\1\n\n% exported by hand", text)
    path = _write(tmp_path, "% my search of 2024-01-31\n" + commented, "comments.ris")
    assert _titles(path) == _titles(EXPORTS / "ris/proquest.ris")
    warning = read_export(path).warnings[0]
    assert warning.line == 1 and "comment line(s)" in warning.message


def test_ris_dates(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "TY  - JOUR\nTI  - Start date\nPY  - Start date: 20170812\nER  - \n\n"
        "TY  - JOUR\nTI  - Placeholder\nY1  - 1900\nDA  - 2019/05/01\nER  - \n\n"
        "TY  - JOUR\nTI  - Deprecated first\nY1  - 1900/01/01\nDA  - 1950/01/01\nER  - \n\n"
        "TY  - JOUR\nTI  - Only Y1\nY1  - 1900\nER  - \n",
        "dates.ris",
    )
    years = import_file(path, search_id="s")["year"].tolist()
    assert years == ["2017", "2019", "1950", "1900"]


def test_ris_bare_dois_where_vendors_put_them(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "TY  - JOUR\nTI  - EBSCO\nL3  - 10.1080/16066359.2020.1867111\nER  - \n\n"
        "TY  - JOUR\nTI  - M3\nM3  - 10.1037/a0020817\nER  - \n\n"
        "TY  - JOUR\nTI  - Note\nN1  - 10.1000/xyz123\nER  - \n\n"
        "TY  - JOUR\nTI  - Note with text\nN1  - cites 10.1000/other in the text\nER  - \n",
        "dois.ris",
    )
    records = import_file(path, search_id="s")
    assert records["doi"].tolist() == [
        "10.1080/16066359.2020.1867111",
        "10.1037/a0020817",
        "10.1000/xyz123",
        "",  # a DOI quoted inside a note is not the record's DOI
    ]
    assert records["publication_type"].tolist()[1] == ""  # M3 held a DOI, not a type


# --------------------------------------------------------------------------------------
# BibTeX


def test_bibtex_macros_latex_and_names(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '@string{first = "Anna"}\n'
        '@string{fullname = first # " Maria"}\n'
        "@article{k1,\n"
        '  author = fullname # " Kowalska and " # {{World Health Organization}} # " and "'
        " # {山田 太郎 and Nowak, Jan},\n"
        "  title = {DNA$_\\textrm2$ of {$\\alpha$}-cells at P{\\textless}0.05 in Soci\\'{e}t\\'{e}},\n"
        "  year = 2020\n"
        "}\n",
        "macros.bib",
    )
    record = import_file(path, search_id="s").iloc[0]
    assert record["authors"] == (
        "Kowalska, Anna Maria; World Health Organization; 山田 太郎; Nowak, Jan"
    )
    assert record["title"] == "DNA2 of α-cells at P<0.05 in Société"


def test_bibtex_extra_closing_brace_keeps_the_fields_after_it(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "@article{first,\n  title = {One},\n  author = {Smith, Anna}},\n  year = {2001},\n"
        "  journal = {Journal}\n}\n\n@article{second,\n  title = {Two},\n  year = {2002}\n}\n",
        "brace.bib",
    )
    records = import_file(path, search_id="s")
    assert records[["title", "authors", "year", "journal"]].values.tolist() == [
        ["One", "Smith, Anna", "2001", "Journal"],
        ["Two", "", "2002", ""],
    ]
    (warning,) = read_export(path).warnings
    assert warning.line == 1 and "extra '}' on line 3" in warning.message


def test_bibtex_unbalanced_brace_names_its_entry(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "@article{ok1,\n  title = {One}\n}\n\n"
        "@article{broken,\n  title = {Two {unclosed},\n  year = {2002}\n}\n\n"
        "@article{ok2,\n  title = {Three}\n}\n",
        "unbalanced.bib",
    )
    assert _titles(path) == ["One", "Two unclosed", "Three"]
    (warning,) = read_export(path).warnings
    assert warning.line == 5 and "'broken'" in warning.message


def test_bibtex_duplicates_are_kept_and_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "@book{,\n  title = {Empty key one}\n}\n@book{,\n  title = {Empty key two}\n}\n"
        "@article{same,\n  title = {First}\n}\n@article{same,\n  title = {Second},\n"
        "  title = {Second again}\n}\n",
        "duplicates.bib",
    )
    records = import_file(path, search_id="s")
    assert records["title"].tolist() == ["Empty key one", "Empty key two", "First", "Second"]
    assert json.loads(records.iloc[3]["extra"])["title"] == "Second again"
    lines = [(w.line, w.message.split(";")[0]) for w in read_export(path).warnings]
    assert lines == [
        (1, "2 entries have no key ('@type{,')"),
        (10, "entry key 'same' is used again (first at line 7)"),
        (10, "entry 'same' has the field(s) title twice"),
    ]


def test_bibtex_missing_comma_and_capital_and(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "@ARTICLE{Cesar2013,\n  author = {Jean C\\'esar AND Doe, Jane},\n"
        "  title = {An amazing title}\n  year = {2013},\n  journal = {Nice Journal},\n}\n",
        "comma.bib",
    )
    record = import_file(path, search_id="s").iloc[0]
    assert (record["title"], record["year"], record["journal"]) == (
        "An amazing title",
        "2013",
        "Nice Journal",
    )
    assert record["authors"] == "César, Jean; Doe, Jane"
    (warning,) = read_export(path).warnings
    assert warning.line == 3 and "no comma before field 'year'" in warning.message


# --------------------------------------------------------------------------------------
# Web of Science, EndNote, Refer


def test_wos_continuation_lines_without_indentation(tmp_path: Path) -> None:
    source = EXPORTS / "wos_tagged/restoration_WoS.ciw"
    text = source.read_text(encoding="utf-8-sig")
    path = _write(tmp_path, re.sub(r"(?m)^   ", "", text), "flat.ciw")
    columns = ["title", "abstract", "authors", "doi", "keywords", "pages"]
    flat = import_file(path, search_id="s")[columns]
    original = import_file(source, search_id="s")[columns]
    pd.testing.assert_frame_equal(flat, original)
    (warning,) = read_export(path).warnings
    assert "continuation line(s) not indented" in warning.message


def test_wos_article_number_is_not_pages(tmp_path: Path) -> None:
    text = (EXPORTS / "wos_tagged/metaknowledge_TwoPaper.isi").read_text(encoding="utf-8-sig")
    text = re.sub(r"(?m)^BP .*\n(EP .*\n)?", "", text, count=1)
    path = _write(tmp_path, text.replace("\nDI ", "\nAR e0210766\nDI ", 1), "ar.isi")
    record = import_file(path, search_id="s").iloc[0]
    assert record["pages"] == ""
    assert json.loads(record["extra"])["AR"] == "e0210766"


def test_endnote_xml_issue_element(tmp_path: Path) -> None:
    """Mendeley writes the issue as <issue>, EndNote as <number>."""
    text = (EXPORTS / "endnote_xml/endnote-sm.xml").read_text(encoding="utf-8")
    mendeley = re.sub(r"<number>(.*?)</number>", r"<issue>\1</issue>", text, flags=re.S)
    path = _write(tmp_path, mendeley, "mendeley.xml")
    original = import_file(EXPORTS / "endnote_xml/endnote-sm.xml", search_id="s")
    assert (original["issue"] != "").any()
    assert import_file(path, search_id="s")["issue"].tolist() == original["issue"].tolist()


def test_refer_type_followed_by_another_type(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "%0 Serial\n%0 Audio\n%T A recording\n%A Smith, Anna\n%D 2001\n\n"
        "%0 Journal Article\n%T A paper\n%A Jones, Bob\n",
        "refer.enw",
    )
    records = import_file(path, search_id="s")
    assert records["title"].tolist() == ["A recording", "A paper"]
    (warning,) = read_export(path).warnings
    assert warning.line == 1 and "'Serial'" in warning.message


# --------------------------------------------------------------------------------------
# CSV


def test_dimensions_csv_with_a_note_above_the_header(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\"About the data: Exported on Jan 31, 2024. Criteria: 'restoration' in title.\"\n"
        '"Rank","Publication ID","DOI","PMID","PMCID","Title","Abstract","Source title",'
        '"PubYear","Volume","Issue","Pagination","Authors","Dimensions URL","Times cited"\n'
        '"1","pub.1000001","10.1000/abc","","","Lake restoration","P < 0.001 for all.",'
        '"Water Research","2019","12","3","1-9","Smith, Anna; Jones, Bob",'
        '"https://app.dimensions.ai/details/publication/pub.1000001","4"\n',
        "dimensions.csv",
    )
    parsed = read_export(path)
    record = import_file(path, search_id="d").iloc[0]
    assert record["record_id"] == "d:pub.1000001"
    assert (record["title"], record["abstract"]) == ("Lake restoration", "P < 0.001 for all.")
    assert (record["journal"], record["year"], record["pages"]) == ("Water Research", "2019", "1-9")
    assert record["authors"] == "Smith, Anna; Jones, Bob"
    assert json.loads(record["extra"]) == {"Rank": "1", "Times cited": "4"}
    assert parsed.warnings[0].message.startswith("1 line(s) above the header row (line 2)")


def test_lens_csv(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Lens ID,Title,Date Published,Publication Year,Publication Type,Source Title,ISSNs,"
        "Author/s,Abstract,Volume,Issue Number,Start Page,End Page,PMID,DOI\n"
        "000-111-222-333-444,Gambling harm,2021-06-01,2021,journal article,Addiction,"
        '09652140,Anna Smith; Bob Jones,"Harms <5%.",116,6,1510,1520,33456789,10.1111/add.1\n',
        "lens.csv",
    )
    record = import_file(path, search_id="l").iloc[0]
    assert record["record_id"] == "l:000-111-222-333-444"
    assert record["authors"] == "Smith, Anna; Jones, Bob"
    assert (record["pages"], record["issue"], record["issn"]) == ("1510-1520", "6", "0965-2140")
    assert (record["abstract"], record["pmid"]) == ("Harms <5%.", "33456789")


def test_partial_column_map_keeps_guessing_the_rest(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Headline,Abstract,DOI,Year\nA study,P < 0.05,10.1000/x,2020\n",
        "sheet.csv",
    )
    with pytest.raises(ImportFormatError) as error:
        import_file(path, search_id="s")
    message = str(error.value)
    assert "--column-map title='<column>'" in message and "column_map:" in message
    assert "Headline" in message  # the columns there are
    record = import_file(path, search_id="s", column_map={"title": "Headline"}).iloc[0]
    assert (record["title"], record["abstract"], record["doi"], record["year"]) == (
        "A study",
        "P < 0.05",
        "10.1000/x",
        "2020",
    )


def test_a_50_mb_cell_is_read(tmp_path: Path) -> None:
    abstract = "P < 0.001 " * 5_000_000  # 50 MB
    path = tmp_path / "big.csv"
    path.write_text(f'Title,Abstract\nBig,"{abstract}"\nSmall,short\n', encoding="utf-8")
    records = import_file(path, search_id="s")
    assert records["title"].tolist() == ["Big", "Small"]
    assert len(records.iloc[0]["abstract"]) == len(abstract) - 1


# --------------------------------------------------------------------------------------
# A search without hits


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.ris", "\n\n"),
        ("none.isi", "FN Clarivate Analytics Web of Science\nVR 1.0\nEF\n"),
        ("none.xml", '<?xml version="1.0" encoding="UTF-8"?><xml><records></records></xml>'),
        ("none.csv", "Title,Authors,Abstract,DOI\n"),
        ("none.bib", "@comment{ignore this}\n@Comment{and this}\n@string{j = {J}}\n"),
    ],
)
def test_an_export_without_records_gives_an_empty_table(
    name: str, text: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, text, name)
    parsed = read_export(path)
    assert parsed.records == [] and len(parsed.warnings) == 1
    records = import_file(path, search_id="s")
    assert len(records) == 0 and "title" in records.columns


def test_ris_without_records_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no RIS records"):
        import_file(
            _write(tmp_path, "Provider: X\nTI  - not a record\n", "x.ris"),
            search_id="s",
            format="ris",
        )


# --------------------------------------------------------------------------------------
# Ovid


def test_ovid_tagged_export(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "<1. >\r\nVN  - Ovid Technologies\r\nDB  - Embase\r\nAN  - 2010123456\r\n"
        "AU  - Werner, S. M. [Author, Reprint Author; E-mail: sw@example.org]\r\n"
        "AU  - Nordheim, E. V. [Author]\r\n"
        "TI  - Sampling thrips on basswood (Tilia americana L.) in mixed hardwood\r\n"
        "      forests\r\n"
        "SO  - Forest Ecology & Management. 201(2-3):327-334, November 15, 2004.\r\n"
        "PT  - Article\r\nLG  - English\r\nAB  - Counts were higher (P < 0.01).\r\n"
        "YR  - 2004\r\nXL  - http://ovidsp.ovid.com/ovidweb.cgi?AN=2010123456\r\n\r\n"
        "<2. >\r\nVN  - Ovid Technologies\r\nDB  - Ovid MEDLINE(R)\r\nUI  - 31234567\r\n"
        "TI  - A second record.\r\nAU  - Smith J\r\nSO  - Lancet. 390(10091):231-2, 2017.\r\n"
        "DO  - 10.1016/S0140-6736(17)31234-5\r\n\r\n",
        "ovid.txt",
    )
    assert read_export(path).format == "ovid_tagged"
    records = import_file(path, search_id="o")
    first, second = records.iloc[0], records.iloc[1]
    assert first["record_id"] == "o:2010123456"
    assert first["title"] == (
        "Sampling thrips on basswood (Tilia americana L.) in mixed hardwood forests"
    )
    assert first["authors"] == "Werner, S M; Nordheim, E V"
    assert (first["journal"], first["volume"], first["issue"], first["pages"]) == (
        "Forest Ecology & Management",
        "201",
        "2-3",
        "327-334",
    )
    assert (first["year"], first["abstract"], first["source"]) == (
        "2004",
        "Counts were higher (P < 0.01).",
        "Embase",
    )
    assert second["pmid"] == "31234567"  # Ovid MEDLINE's unique identifier is the PMID
    assert (second["year"], second["pages"]) == ("2017", "231-2")
    assert second["doi"] == "10.1016/s0140-6736(17)31234-5"


def test_ovid_export_with_its_search_strategy_header(tmp_path: Path) -> None:
    header = (
        "Database: Ovid MEDLINE(R) ALL <1946 to March 09, 2023>\n"
        "Search Strategy:\n" + "-" * 80 + "\n"
        "1     exp Diabetes Mellitus/ (500000)\n2     limit 1 to english (400000)\n\n"
        + "*" * 27
        + "\n\n"
    )
    for fmt in ("ovid_labelled", "ovid_tagged"):
        path = _write(tmp_path, header + WRITERS[fmt]([ISSUE_RECORD]), f"{fmt}.txt")
        assert read_export(path).format == fmt
        record = import_file(path, search_id="s").iloc[0]
        assert record["title"] == ISSUE_RECORD.title
    assert record["source"] == "Embase"  # tagged records name their database
    labelled = import_file(tmp_path / "ovid_labelled.txt", search_id="s").iloc[0]
    assert labelled["source"] == "Ovid MEDLINE(R) ALL"
