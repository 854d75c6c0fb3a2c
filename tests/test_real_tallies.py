"""Tallies and background in whole news articles: a monitor's running totals, told over several
sentences and list lines, are aggregates, never incidents on the report's date. The articles are
the team's own, written in the shape of monitors' daily reports."""

from __future__ import annotations

import conflictlens
from conflictlens.models import Event


def _incidents(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "incident"]


def _aggregates(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "aggregate"]


def test_a_tally_told_over_a_sentence_and_a_list_is_one_aggregate() -> None:
    text = (
        "Insecurity in Borno | Gunmen kill farmer near Konduga\n"
        "Borno State - Regional Monitor: Gunmen on motorcycles shot dead a farmer on his land "
        "near Konduga on Tuesday, residents said.\n"
        "Since mid-March 2020, the monitor has recorded more than 640 raids and ambushes by "
        "gunmen and roadside bombs in the state. These attacks claimed the lives of 412 people, "
        "broken down as follows:\n"
        "- 208 civilians, including 30 women and 41 children\n"
        "- 151 soldiers and members of the Civilian Joint Task Force\n"
        "- 53 members of the vigilante groups.\n"
    )
    events = conflictlens.extract(text, published="2021-06-09")
    [incident] = _incidents(events)
    assert incident.fatalities == 1
    [tally] = _aggregates(events)
    assert tally.fatalities == 412


def test_what_the_tally_breaks_down_adds_no_incident() -> None:
    text = (
        "Unexploded ordnance kills shepherd in Gao region\n"
        "A shepherd was killed on Sunday when an old shell exploded while he grazed his flock "
        "near Ansongo, in the Gao region of Mali, a local official said.\n"
        "The monitor has documented since January 2020 to date some 215 deaths from mines and "
        "unexploded ordnance across the country. Of the total number, 64 people were killed in "
        "the Gao region while collecting firewood.\n"
        "Among the total death toll, 38 children were killed while playing with objects they "
        "found.\n"
    )
    events = conflictlens.extract(text, published="2021-03-15")
    assert [e.fatalities for e in _incidents(events)] == [1]
    assert [e.fatalities for e in _aggregates(events)] == [215]


def test_a_tally_since_a_day_of_a_month_is_an_aggregate() -> None:
    text = (
        "Two soldiers were killed when their patrol hit a roadside bomb near Djibo on Friday, "
        "a security source said.\n"
        "Since 12th of February 2019, the monitor has documented the deaths of 870 soldiers and "
        "auxiliaries in attacks by jihadist groups in the Sahel region of Burkina Faso.\n"
    )
    events = conflictlens.extract(text, published="2021-04-10")
    assert [e.fatalities for e in _incidents(events)] == [2]
    assert [e.fatalities for e in _aggregates(events)] == [870]
    # "The deadliest since <a day>, when ..." compares with one past attack: no tally.
    deadliest = (
        "A car bomb killed 12 people at a market in Mogadishu on Saturday, police said.\n"
        "It was the deadliest attack in the city since 14 October 2017, when a truck bomb killed "
        "more than 500 people.\n"
    )
    assert not _aggregates(conflictlens.extract(deadliest, published="2018-03-05"))


def test_a_running_count_over_several_provinces_is_a_tally() -> None:
    text = (
        "Gunmen shoot dead a village elder in Baidoa\n"
        "Gunmen shot dead a village elder outside his home in Baidoa on Wednesday, residents "
        "said.\n"
        "As more deaths are recorded and updated regularly, the number of people killed by "
        "armed cells in the Bay, Gedo and Lower Shabelle regions has risen to 310.\n"
        "The monitor documented the killing of 190 civilians by armed cells in Baidoa, Garbahaarey "
        "and Afgooye. In addition, 116 soldiers were killed in the same areas.\n"
        "Also, four foreign contractors were killed.\n"
    )
    events = conflictlens.extract(text, published="2021-07-08")
    assert [e.fatalities for e in _incidents(events)] == [1]
    assert all(e.fatalities != 4 for e in events)


def test_a_rising_number_of_deaths_is_no_incident() -> None:
    text = (
        "A boy was killed on Monday when a landmine exploded near his home outside Marib, "
        "a medic said.\n"
        "An increasing number of people killed recently by landmines and unexploded shells "
        "in Hodeidah and Saada.\n"
    )
    events = conflictlens.extract(text, published="2021-02-02")
    assert [e.fatalities for e in _incidents(events)] == [1]


def test_the_headline_and_the_lede_are_one_incident() -> None:
    text = (
        "Roadside bomb | Six police officers killed and wounded in blast near Kismayo\n"
        "Lower Juba - A roadside bomb struck a police vehicle on the road between Kismayo and "
        "Jamame on Thursday morning, a police commander said. The blast killed two officers and "
        "wounded four others.\n"
        "Al-Shabaab claimed responsibility for the attack in a statement.\n"
    )
    events = conflictlens.extract(text, published="2021-05-14")
    [incident] = _incidents(events)
    assert (incident.fatalities, incident.wounded) == (2, 4)


def test_a_headline_and_a_lede_of_the_same_kind_of_fight_are_one_incident() -> None:
    text = (
        "Central Mali | Exchange of fire between army and jihadists leaves casualties in Mopti\n"
        "A soldier was killed on Monday in an exchange of fire between jihadist fighters and "
        "troops near Diafarabe, a military source said.\n"
    )
    events = conflictlens.extract(text, published="2021-11-16")
    [incident] = _incidents(events)
    assert incident.fatalities == 1


def test_the_pages_source_list_and_quoted_reports_add_no_incident() -> None:
    text = (
        "Assessment\n"
        "Two civilians were killed and four injured in an alleged air strike on a farm near "
        "Ras al-Ain on the night of June 4, 2021, local sources reported.\n"
        "- Ahmad Saleh 34 years old male killed\n"
        "- Khaled Saleh 12 years old male killed\n"
        "Summary\n"
        "Sources (12) [ collapse]\n"
        "Original strike reports\n"
        "Our forces struck a weapons depot near Ras al-Ain today, resulting in the death of "
        "5 terrorists.\n"
    )
    events = conflictlens.extract(text, published="2021-06-05")
    assert [e.fatalities for e in _incidents(events)] == [2]


def test_running_totals_over_a_week_or_since_then_are_tallies() -> None:
    text = (
        "Kenya: Two protesters shot dead in Kisumu\n"
        "Police shot dead two protesters in Kisumu on Tuesday, witnesses said. Medics said the "
        "deaths brought to nine the number of protesters killed over the past week in the county.\n"
        "The unrest followed the disputed election. More than 40 people have been "
        "killed in election-related violence across the country since then, a rights group said.\n"
    )
    events = conflictlens.extract(text, published="2022-10-12")
    assert [e.fatalities for e in _incidents(events)] == [2]


def test_a_claim_made_a_day_later_is_part_of_the_attack() -> None:
    text = (
        "Suicide bomber kills nine at Gwoza mosque\n"
        "GWOZA, Nigeria - A suicide bomber blew himself up inside a mosque in Gwoza during dawn "
        "prayers on Friday, killing at least nine worshippers, police said.\n"
        '"The blast threw people against the walls," said a witness.\n'
        "Boko Haram claimed responsibility for the attack in a statement on Saturday.\n"
    )
    events = conflictlens.extract(text, published="2021-06-13")
    [incident] = _incidents(events)
    assert (incident.fatalities, str(incident.event_date)) == (9, "2021-06-11")


def test_a_recap_of_an_earlier_day_after_an_undated_lede_is_its_own_incident() -> None:
    text = (
        "Camp violence | Displaced man shot dead in Rukban camp\n"
        "Homs Province - Regional Monitor: Gunmen shot dead a displaced man inside his tent in "
        "the western section of Rukban camp, near the Jordanian border, local sources said.\n"
        "On March 2, the monitor documented the death of a woman shot by unknown gunmen in the "
        "eastern section of the camp.\n"
        "On February 27, a teenager was killed in the same way near the camp's market.\n"
    )
    incidents = _incidents(conflictlens.extract(text, published="2022-03-09"))
    dates = [str(e.event_date) for e in incidents]
    assert dates[0] == "2022-03-09"  # the lede: the report's day, not March 2
    assert dates[1:] == ["2022-03-02", "2022-02-27"]


def test_a_dated_lede_after_an_undated_headline_stays_one_incident() -> None:
    text = (
        "Gunmen kill three soldiers in ambush near Menaka\n"
        "On March 2, gunmen ambushed an army patrol on the road north of Menaka, killing three "
        "soldiers, the army said on Wednesday.\n"
    )
    [incident] = _incidents(conflictlens.extract(text, published="2022-03-09"))
    assert (str(incident.event_date), incident.fatalities) == ("2022-03-02", 3)


def test_a_recap_opening_with_while_on_a_day_or_a_past_month_is_not_the_lede() -> None:
    text = (
        "Camp violence | Body of displaced woman found in Rukban camp\n"
        "Homs Province - Regional Monitor: Camp guards found the body of a displaced woman with "
        "gunshot wounds in the western section of Rukban camp, near the Jordanian border.\n"
        "While on February 27, the monitor said that guards found the body of a teenager shot "
        "dead near the camp's market.\n"
        "In October 2021, camp guards executed two men accused of theft in the camp.\n"
    )
    incidents = _incidents(conflictlens.extract(text, published="2022-03-09"))
    dates = [str(e.event_date) for e in incidents]
    assert dates[0] == "2022-03-09"  # the lede: the report's day, not February 27 nor October
    assert "2022-02-27" in dates[1:]


def test_a_day_earlier_counts_from_the_day_just_told_and_is_another_incident() -> None:
    text = (
        "Camp violence | Displaced man shot dead in Rukban camp\n"
        "Homs Province - Regional Monitor: Gunmen shot dead a displaced man inside his tent in "
        "the western section of Rukban camp, near the Jordanian border, local sources said.\n"
        "On March 2, the monitor documented the death of a woman shot by unknown gunmen in the "
        "eastern section of the camp.\n"
        "A day earlier, gunmen shot dead a teenager near the camp's market.\n"
    )
    incidents = _incidents(conflictlens.extract(text, published="2022-03-09"))
    assert [str(e.event_date) for e in incidents] == ["2022-03-09", "2022-03-02", "2022-03-01"]


def test_a_long_headline_after_a_kicker_bar_is_the_ledes_incident() -> None:
    text = (
        "Insecurity in the north-east | Unknown gunmen kill a village chief on the road "
        "between two villages in the countryside of Maiduguri\n"
        "Borno State - Regional Monitor: Unknown gunmen on motorcycles shot dead the chief of "
        "a village near Gwoza as he drove to the market, residents said.\n"
        "Police said they had deployed patrols to the area.\n"
    )
    [incident] = _incidents(conflictlens.extract(text, published="2022-05-04"))
    assert incident.fatalities == 1


def test_a_headline_ending_on_a_quotation_mark_is_a_headline() -> None:
    text = (
        "Insecurity in Maiduguri | Gunmen shoot dead an army “informant”\n"
        "Borno State - Regional Monitor: Unknown gunmen shot dead a man accused of informing "
        "for the army near Gwoza, residents said.\n"
    )
    [incident] = _incidents(conflictlens.extract(text, published="2022-05-04"))
    assert incident.fatalities == 1


def test_yesterday_opening_a_sentence_after_an_undated_lede_is_another_incident() -> None:
    text = (
        "Security chaos in Borno | Gunmen kill a vigilante near Konduga\n"
        "Borno State - Regional Monitor: Gunmen on motorcycles shot dead a member of the "
        "Civilian Joint Task Force at a checkpoint near Konduga, local sources said.\n"
        "Yesterday, gunmen opened fire on a soldier in the town of Bama and wounded him.\n"
        "Insurgents also began the year with an ambush, on January 1, on a convoy near Dikwa "
        "that killed six soldiers.\n"
    )
    incidents = _incidents(conflictlens.extract(text, published="2022-01-17"))
    assert (str(incidents[0].event_date), incidents[0].fatalities) == ("2022-01-17", 1)
    assert {str(e.event_date) for e in incidents[1:]} == {"2022-01-16", "2022-01-01"}


def test_strikes_over_the_past_48_hours_do_not_date_the_ambush() -> None:
    text = (
        "Desert ambush | Militants kill five soldiers on the Palmyra road\n"
        "Homs Province - Regional Monitor: Militants ambushed an army convoy on the road east of "
        "Palmyra, killing five soldiers and wounding others, sources said.\n"
        "However, army jets and helicopters executed nearly a dozen strikes on militant "
        "hideouts in the desert in the past 48 hours.\n"
    )
    [incident] = _incidents(conflictlens.extract(text, published="2022-04-20"))
    assert (str(incident.event_date), incident.fatalities) == ("2022-04-20", 5)


def test_on_the_other_hand_turns_to_another_incident() -> None:
    text = (
        "Old ordnance | Farmer killed and children wounded in Kirkuk countryside\n"
        "Regional Monitor: A farmer was killed when an old landmine exploded under his tractor "
        "near a village south-west of Kirkuk.\n"
        "On the other hand, a mortar shell left over from the war exploded in a field in the "
        "southern countryside of Kirkuk, wounding several children who were taken to hospital.\n"
    )
    incidents = _incidents(conflictlens.extract(text, published="2022-02-10"))
    assert [e.fatalities for e in incidents] == [1, None]


def test_a_tally_ending_today_goes_on_about_the_tally_before_it() -> None:
    text = (
        "Desert ambush | Militants kill three soldiers near Palmyra\n"
        "Homs Province - Regional Monitor: Militants ambushed an army patrol east of Palmyra on "
        "Sunday, killing three soldiers, sources said.\n"
        "Since 5th of May 2020, the monitor has documented the killing of at least 940 soldiers "
        "and militiamen in attacks by the militants in the desert.\n"
        "Also, three herders and two truck drivers were killed in the same period, from May 2020 "
        "until today.\n"
    )
    events = conflictlens.extract(text, published="2022-04-19")
    assert [e.fatalities for e in _incidents(events)] == [3]
    assert [e.fatalities for e in _aggregates(events)] == [940]
