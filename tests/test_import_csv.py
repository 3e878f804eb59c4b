"""`chronicle import csv`: spreadsheets as Excel, LibreOffice and Google Sheets export them, imported and built."""

from __future__ import annotations

import json


def sheet(project, text: str, name: str = "sheet.csv") -> str:
    path = project.root / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


def entries(project) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(project.content.glob("*.md"))}


def notes(result) -> list[str]:
    return [line for line in result.lines if ": note: " in line]


def built(project) -> dict[str, dict]:
    assert project.run("build", "--no-cache").code == 0
    return {event["text"]["headline"]: event for event in json.loads(project.read("timeline.json"))["events"]}


# Google Sheets' "Download → CSV": commas, CRLF, a cell with a line break quoted across two lines.
NEWSROOM = (
    "Start Date,Headline,Description,Link,Category,Place\r\n"
    "2024-10-28,NATO confirms North Korean units deployed to Kursk,\"After a briefing by a South Korean "
    "intelligence delegation,\r\nNATO's Rutte confirmed it.\",https://www.themoscowtimes.com/2024/10/28/nato "
    "https://menafn.com/1108824782/rutte,\"NATO, North Korea\",\"Brussels, Belgium\"\r\n"
    "\r\n"
    "\"October 29, 2024\",Pentagon: 10000 soldiers in eastern Russia,,https://www.defense.gov/briefing;"
    "https://apnews.com/pentagon,Pentagon; Russia,Arlington\r\n"
)


def test_header_synonyms_and_several_links(project):
    result = project.run("import", "csv", sheet(project, NEWSROOM))
    assert result.code == 0, result.err
    assert entries(project)["2024-10-28-nato-confirms-north-korean-units-deployed-to-kursk.md"] == (
        "---\n"
        "title: NATO confirms North Korean units deployed to Kursk\n"
        "date: '2024-10-28'\n"
        "location: Brussels, Belgium\n"
        "tags: [NATO, North Korea]\n"
        "sources:\n"
        "  - https://www.themoscowtimes.com/2024/10/28/nato\n"
        "  - https://menafn.com/1108824782/rutte\n"
        "---\n"
        "\n"
        "After a briefing by a South Korean intelligence delegation,\n"
        "NATO's Rutte confirmed it.\n")
    pentagon = entries(project)["pentagon-10000-soldiers-in-eastern-russia.md"]
    assert "date: October 29, 2024\n" in pentagon  # as the cell says it
    assert "tags: [Pentagon, Russia]\n" in pentagon
    assert "  - https://www.defense.gov/briefing\n  - https://apnews.com/pentagon\n" in pentagon
    assert notes(result) == []
    assert "content/_index.md" not in result.out  # every event has sources: nothing to say of the timeline
    events = built(project)
    assert [events[title]["start_date"]["day"] for title in sorted(events)] == [28, 29]


def test_semicolons_and_day_first_dates_of_a_european_sheet(project):
    # LibreOffice and Excel in Europe: `;` between cells, `,` in the text, day-first dates.
    text = ("Datum;Titel;Text;Tags\n"
            "28.10.2024;Rutte bestätigt Entsendung;Nach einem Briefing, in Brüssel.;NATO\n"
            "03/11/2024;Erste Gefechte;Kämpfe in Kursk.;Russland\n"
            "15/11/2024;Sanktionen;;EU\n")
    result = project.run("import", "csv", sheet(project, text), "--map", "Datum=date", "--map", "Titel=title",
                         "--map", "Text=body")
    assert result.code == 0, result.err
    written = entries(project)
    assert written["_index.md"] == "---\ndate_order: DMY\nsources: optional\n---\n"
    assert "title: Rutte bestätigt Entsendung\ndate: 28.10.2024\ntags: [NATO]\n" in \
        written["rutte-bestatigt-entsendung.md"]
    assert notes(result) == ["sheet.csv:3: note: dates such as '03/11/2024' are read day first (28/10/2024), as the "
                             "sheet's other dates are (date_order: DMY in content/_index.md)"]
    events = built(project)
    assert (events["Erste Gefechte"]["start_date"]["month"], events["Erste Gefechte"]["start_date"]["day"]) == (11, 3)


def test_map_wins_over_the_guess_and_an_unknown_column_is_told_once(project):
    text = ("Date,Title,Short title,Notes,Reporter\n"
            "2024-10-28,NATO confirms North Korean units deployed to Kursk,NATO confirms,Text.,Anna\n"
            "2024-10-29,Pentagon briefing,Pentagon,Text.,Ben\n")
    result = project.run("import", "csv", sheet(project, text), "--map", "short title=title")
    assert result.code == 0, result.err
    assert sorted(entries(project)) == ["2024-10-28-nato-confirms.md", "2024-10-29-pentagon.md", "_index.md"]
    assert notes(result) == [
        "sheet.csv:1: note: column 'Title' was not carried over (the title is column 'Short title') — "
        "--map Title=FIELD to keep it",
        "sheet.csv:1: note: column 'Reporter' was not carried over — --map Reporter=FIELD to keep it"]
    built(project)


def test_a_field_map_does_not_know_is_an_error_naming_the_fields(project):
    text = "Date,Headline\n2024-10-28,NATO confirms\n"
    result = project.run("import", "csv", sheet(project, text), "--map", "Headline=titel")
    assert result.code == 1
    assert result.lines == ["sheet.csv: error: --map Headline=titel: Chronicle has no field 'titel' — did you mean "
                            "title? a column can carry date, time, end, end time, title, body, summary, url, tags, "
                            "location, image, alt, credit, caption, slug"]
    assert not project.content.joinpath("_index.md").exists() and entries(project) == {}


def test_a_map_of_a_column_the_header_lacks_is_an_error(project):
    result = project.run("import", "csv", sheet(project, "Date,Headline\n2024-10-28,NATO confirms\n"),
                         "--map", "Summary=body")
    assert result.code == 1
    assert result.lines == ["sheet.csv: error: --map Summary=body: the header (line 1) has no column 'Summary' — "
                            "its columns are 'Date', 'Headline'"]


def test_image_column_becomes_media_with_alt_caption_and_credit(project):
    text = ("date,title,image,alt,caption,credit,url\n"
            "2024-10-28,With alt,https://upload.wikimedia.org/wikipedia/commons/k/Kursk.jpg,Map of Kursk oblast,"
            "Where the units were sent,Natural Earth,https://example.org/a\n"
            "2024-10-29,Without alt,https://upload.wikimedia.org/wikipedia/commons/p/Pentagon.png,,"
            "The Pentagon,Wikimedia Commons,https://example.org/b\n"
            "2024-10-30,A video,https://www.youtube.com/watch?v=dQw4w9WgXcQ,,,,https://example.org/c\n"
            "2024-10-31,A file,photos/kursk.jpg,,,,https://example.org/d\n")
    result = project.run("import", "csv", sheet(project, text))
    assert result.code == 0, result.err
    written = entries(project)
    assert ("media:\n"
            "  - src: https://upload.wikimedia.org/wikipedia/commons/k/Kursk.jpg\n"
            "    alt: Map of Kursk oblast\n"
            "    caption: Where the units were sent\n"
            "    credit: Natural Earth\n") in written["2024-10-28-with-alt.md"]
    assert "    alt: The Pentagon\n    caption: The Pentagon\n" in written["2024-10-29-without-alt.md"]
    assert "media:\n  - src: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n---\n" in written["2024-10-30-a-video.md"]
    assert "media" not in written["2024-10-31-a-file.md"]
    assert notes(result) == [
        "sheet.csv:3: note: the picture's alt text is its caption — write what it shows in alt:",
        "sheet.csv:5: note: image 'photos/kursk.jpg' left out: only a link (https://…) can be carried over — put the "
        "file beside the entry in content/ and name it in media:"]
    events = built(project)
    assert events["With alt"]["media"]["url"] == "https://upload.wikimedia.org/wikipedia/commons/k/Kursk.jpg"
    page = project.read("events/2024-10-28-with-alt/index.html")
    assert "Natural Earth" in page and "upload.wikimedia.org" in page  # shown as a card: nothing fetched


def test_unreadable_date_skips_the_row_with_a_note_at_its_line(project):
    text = ("date,title,body\n"
            "2024-10-28,First,\"Two\n"
            "lines\"\n"
            "32/13/2024,Broken,Text\n"
            ",,\n"
            "31 October,No year,Text\n"
            "2024-11-02,,Rutte met Yoon in Seoul. More followed.\n"
            "2024-11-03,Backwards,Text\n")
    result = project.run("import", "csv", sheet(project, text))
    assert result.code == 0, result.err
    assert sorted(entries(project)) == ["2024-10-28-first.md", "2024-11-02-rutte-met-yoon-in-seoul.md",
                                        "2024-11-03-backwards.md", "_index.md"]
    assert notes(result) == [
        "sheet.csv:4: note: row left out: date '32/13/2024' cannot be read — '32/13/2024' is not a date; write it "
        "like 2024-10-28, 28 October 2024 or 2024-10-28T14:30",
        "sheet.csv:6: note: row left out: date '31 October' cannot be read — '31 October' has no year; write "
        "31 October 2024, or set year: in content/_index.md",
        "sheet.csv:7: note: no title: the title is the text's first words, 'Rutte met Yoon in Seoul' — write one"]
    assert len(built(project)) == 3


def test_an_end_before_the_date_is_left_out_and_the_event_kept(project):
    text = "date,end,title\n2024-10-30,2024-10-28,Backwards\n2024-10-30,2024-10-31,Two days\n2024-11-01,now,Going on\n"
    result = project.run("import", "csv", sheet(project, text))
    assert notes(result) == ["sheet.csv:2: note: end '2024-10-28' left out: it is before the date '2024-10-30'"]
    written = entries(project)
    assert "end" not in written["2024-10-30-backwards.md"]
    assert "end: '2024-10-31'" in written["2024-10-30-two-days.md"]
    assert "end: now" in written["2024-11-01-going-on.md"]
    built(project)


def test_date_and_time_columns_and_midnight_dates(project):
    text = ("Date,Time,Event\n"
            "2024-10-28 00:00:00,14:30,Briefing\n"
            "2024-10-29 00:00:00,,Communiqué\n")
    result = project.run("import", "csv", sheet(project, text))
    written = entries(project)
    assert "date: 2024-10-28 14:30\n" in written["2024-10-28-briefing.md"]
    assert "date: '2024-10-29'\n" in written["2024-10-29-communique.md"]
    assert notes(result) == ["sheet.csv: note: every date is at 00:00: they were carried over as days, without the "
                             "time"]
    built(project)


def test_a_clash_with_an_existing_file_writes_nothing(project):
    project.entry("2024-10-28-nato-confirms.md", "title: NATO confirms\ndate: 2024-10-28\n")
    text = "date,title\n2024-10-28,NATO confirms\n2024-10-29,Pentagon briefing\n"
    result = project.run("import", "csv", sheet(project, text))
    assert result.code == 1
    assert result.lines == ["content/2024-10-28-nato-confirms.md: error: already exists — sheet.csv:2 would be "
                            "written there; move it away, or import into another folder with --content DIR"]
    assert sorted(entries(project)) == ["2024-10-28-nato-confirms.md"]


def test_a_sheet_without_a_date_column_or_a_timelinejs_sheet_is_refused(project):
    result = project.run("import", "csv", sheet(project, "Headline,Text\nNATO confirms,Text\n"))
    assert result.code == 1
    assert result.lines == ["sheet.csv: error: line 1: no column of dates among 'Headline', 'Text' — name one Date, "
                            "or say which it is with --map COLUMN=date"]
    timelinejs = ("Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,Media,"
                  "Media Credit,Media Caption,Media Thumbnail,Type,Group,Background\n"
                  "2024,10,28,,,,,,,NATO confirms,,,,,,,,\n")
    result = project.run("import", "csv", sheet(project, timelinejs, "tl.csv"))
    assert result.code == 1
    assert result.lines == ["tl.csv: error: line 1: this is TimelineJS's spreadsheet (Year, Month, Day … Headline) — "
                            "import it with `chronicle import timelinejs`"]


def test_excel_sep_line_and_tabs(project):
    result = project.run("import", "csv", sheet(project, "sep=;\r\nDate;Title\r\n2024-10-28;NATO confirms\r\n"))
    assert result.code == 0, result.err
    assert "title: NATO confirms\n" in entries(project)["2024-10-28-nato-confirms.md"]
    result = project.run("import", "csv", sheet(project, "When\tWhat\tWhere\n2024-10-29\tBriefing\tPentagon\n",
                                                "tabs.tsv"), "--map", "what=title", "--content", "other")
    assert result.code == 0, result.err
    assert "location: Pentagon\n" in (project.root / "other" / "2024-10-29-briefing.md").read_text(encoding="utf-8")


def test_rows_of_one_date_keep_the_sheets_order(project):
    result = project.run("import", "csv", sheet(project, "date,title\n2019-01-03,Soft landing\n2019-01-03,Lunar rover\n"
                                                "2019-01-04,Alpha\n2019-01-04,Beta\n"))
    assert result.code == 0, result.err
    written = entries(project)
    assert "weight: 1" in written["2019-01-03-soft-landing.md"] and "weight: 2" in written["2019-01-03-lunar-rover.md"]
    assert "weight" not in written["2019-01-04-alpha.md"] + written["2019-01-04-beta.md"]  # already in order
    assert project.run("build", "--no-cache").code == 0
    index = project.read("index.html")
    assert index.index("Soft landing") < index.index("Lunar rover") and index.index("Alpha") < index.index("Beta")
