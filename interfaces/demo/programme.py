"""DEMO DATA: the fifteen municipalities of Tillväxtverket's 2022-2024 programme.

Municipalities, codes and goals come from the programme; the wording is our own. Trönö,
Falerum and Gårdby are the localities the programme names. Every other village, association
and person here is invented for the demo, and every title starts with "[Demo]".

Each municipality's story is told in the order it happened, with its dates: the programme's
years 2022-2024, and then, relative to the day the demo is loaded, the recent weeks. In Mora one
person does everything, so the person-dependency insight shows `single_person`; in Vetlanda a
user leaves, is handed over from, and is later given an issue by mistake (`orphaned`); in Falun
the bygdelots is on leave (`on_leave`). Localities nobody has touched since 2024 are `stale`;
some dialogue plans are kept, some overdue, and follow-ups (bevakningar) fall due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from application import commands as c
from interfaces.demo.places import PLACES_LOADERS
from interfaces.demo.writer import DemoWriter


def sorsele(w: DemoWriter) -> None:
    issue = w.issue(
        "Vindelnäs",
        "Årshjul för dialogen med servicenoderna",
        "Kommunen vill ha en fast rytm i samtalen med de utpekade serviceorterna, så att "
        "dialogen inte hänger på en enskild tjänsteperson. The annual cycle of dialogue.",
        "other",
        "Sorsele kommun",
        kind="municipality",
        on=date(2022, 9, 20),
    )
    w.assign(issue, 1)
    w.note(
        issue,
        date(2022, 10, 4),
        "Första mötet med Vindelnäs byaförening om årshjulet.",
        public=True,
    )
    w.note(
        issue,
        date(2023, 2, 14),
        "Uppföljning i Storbäcken: drivmedel och paketombud.",
        kind="meeting",
        by=1,
    )
    w.note(issue, date(2023, 9, 20), "Dialogmodellen prövad i båda noderna.", public=True)
    decided = w.decide(
        issue,
        "Årshjul för dialog med servicenoder",
        "Fasta dialogtillfällen ger kontinuitet när personal byts.",
        "Kommunstyrelsen",
        date(2023, 11, 7),
        "KS 2023/211",
    )
    w.plan_dialogue("Storbäcken", 6, "Storbäckens intresseförening", date(2024, 3, 1))
    w.outcome(
        issue,
        [decided],
        "Årshjulet används; alla noder har haft minst två möten.",
        [("dialogmöten per år", "6", "st", "1", "6")],
        date(2024, 6, 30),
    )
    w.plan_dialogue("Vindelnäs", 4, "Vindelnäs byaförening", date(2024, 9, 1))
    # The recent weeks: Vindelnäs keeps its rhythm, Storbäcken has not been visited.
    w.note(issue, w.days_ago(40), "Höstens dialog i Vindelnäs: vinterväghållningen.", by=1)


def malå(w: DemoWriter) -> None:
    issue = w.issue(
        "Kvarnliden",
        "Samverkan kring byabutiken i Kvarnliden",
        "Kommunen och byn vill tillsammans ta fram planer för servicen på orten.",
        "groceries",
        "Kvarnlidens byaförening",
        on=date(2022, 10, 20),
    )
    w.assign(issue, 2)
    w.note(issue, date(2022, 11, 8), "Byaföreningen beskriver butikens läge.", public=True)
    decided = w.decide(
        issue,
        "Samverkansöverenskommelse med byaföreningen",
        "Gemensam planering av servicelösningar.",
        "Kommunstyrelsen",
        date(2022, 12, 13),
        "KS 2022/288",
        by=2,
        weeks_before=3,
    )
    w.note(issue, date(2023, 5, 3), "Butiksägaren vill se ett ombudsavtal.", by=1)
    w.outcome(
        issue,
        [decided],
        "Överenskommelse tecknad; butiken blev paketombud.",
        [("servicefunktioner i butiken", "3", "st", "1", "3")],
        date(2024, 2, 1),
    )


def norsjö(w: DemoWriter) -> None:
    issue = w.issue(
        "Granliden",
        "Reviderad serviceplan och färdplan",
        "Kommunen ser över serviceplanen och tar fram en färdplan för hur den kan stötta "
        "lokal service i servicenoderna.",
        "public_service_point",
        "Norsjö kommun",
        kind="municipality",
        on=date(2022, 12, 1),
    )
    w.assign(issue, 1)
    w.note(issue, date(2023, 1, 17), "Workshop med Granlidens byalag.", kind="meeting")
    w.note(issue, date(2023, 8, 29), "Synpunkter på utkastet till serviceplan.", public=True)
    decided = w.decide(
        issue,
        "Reviderad serviceplan 2024-2027",
        "Planen pekar ut servicenoder och kommunens roller.",
        "Kommunfullmäktige",
        date(2024, 3, 25),
        "KF 2024/19",
    )
    w.outcome(
        issue,
        [decided],
        "Serviceplanen antagen och publicerad.",
        [("utpekade servicenoder", "4", "st", None, "4")],
        date(2024, 4, 15),
    )


def vilhelmina(w: DemoWriter) -> None:
    issue = w.issue(
        "Fjällnäs",
        "Dagligvarubutiken i Fjällnäs",
        "I stället för fasta ansvarsområden arbetar kommunen med avgränsade insatsstyrkor "
        "som gör saker direkt. Task forces instead of static areas of responsibility.",
        "groceries",
        "Fjällnäs byautvecklingsgrupp",
        on=date(2022, 9, 1),
    )
    w.assign(issue, 1)
    w.note(issue, date(2022, 9, 13), "Byautvecklingsgruppen vill ha hemleverans.", public=True)
    first = w.task_force(
        issue,
        "Hemleverans Fjällnäs",
        "Pröva hemleverans av dagligvaror under en vinter.",
        ("Lena Demo", "Vilhelmina kommun", 1),
        days=230,
        on=date(2022, 10, 3),
    )
    w.member(first, "Jonas Demo", "Fjällnäs byautvecklingsgrupp", "kassör")
    w.run(c_progress(first, "Tolv hushåll anmälda till hemleveransen."), 1, date(2022, 11, 15))
    w.at(date(2023, 1, 10))
    handover_to = w.member(first, "Maria Demo", "Vilhelmina kommun", "handläggare", user=2)
    w.run(
        c_handover(
            first,
            handover_to,
            "Lena går till annan tjänst. Leverantörsavtal och kundlista finns i "
            "diariet; Jonas är byns kontakt.",
        ),
        1,
        date(2023, 1, 12),
    )
    decided = w.decide(
        issue,
        "Hemleverans blir ordinarie verksamhet",
        "Försöket föll väl ut och kostnaden delas med butiken.",
        "Insatsstyrkan Hemleverans Fjällnäs",
        date(2023, 4, 18),
        task_force=first,
        by=2,
    )
    w.run(
        c_complete(first, "Hemleveransen rullar; ansvaret ligger hos butiken."),
        2,
        date(2023, 5, 2),
    )
    second = w.task_force(
        issue,
        "Drivmedel Fjällnäs",
        "Utreda en obemannad pump vid butiken.",
        ("Per Demo", "Vilhelmina kommun", 3),
        days=200,
        by=3,
        on=date(2023, 9, 5),
    )
    w.member(second, "Jonas Demo", "Fjällnäs byautvecklingsgrupp", "kassör", by=3)
    w.outcome(
        issue,
        [decided],
        "Hemleverans till 18 hushåll varje vecka.",
        [("hushåll med hemleverans", "18", "st", "0", "15")],
        date(2024, 1, 31),
        by=2,
        verified_by=3,
    )
    w.run(
        c_complete(second, "En obemannad pump är möjlig med bygdemedel; underlag i diariet."),
        3,
        date(2024, 3, 14),
    )
    # The recent weeks: the village asks again, and a follow-up falls due next week.
    w.note(issue, w.days_ago(20), "Byagruppen frågar hur det går med pumpen.", by=3)
    w.follow_up(issue, w.days_ago(-7), "Besked till byagruppen om bygdemedlen.", by=3)


def umeå(w: DemoWriter) -> None:
    villages = (("Sörbyn", "Sörbyns lanthandel"), ("Hemberget", "Hembergets handel"))
    issues: dict[str, UUID] = {}
    for day, (village, shop) in zip((15, 16), villages, strict=True):
        issues[village] = w.issue(
            village,
            f"Pilotbutik i {village}",
            "Butiken är både handel och mötesplats; kommunen och byn stärker den tillsammans.",
            "groceries",
            shop,
            kind="local_business",
            on=date(2023, 2, day),
        )
        w.assign(issues[village], 1)
    for village, shop in villages:
        w.note(issues[village], date(2023, 3, 9), f"Startmöte med {shop} och byn.", public=True)
    for village, _ in villages:
        w.note(issues[village], date(2023, 10, 2), "Butiken vill pröva utökade öppettider.", by=1)
    adopted = {"Sörbyn": date(2023, 11, 20), "Hemberget": date(2023, 12, 18)}
    observed = {"Sörbyn": date(2024, 5, 31), "Hemberget": date(2024, 6, 28)}
    decisions = {
        village: w.decide(
            issues[village],
            f"Pilotstöd till {shop}",
            "Del av pilotbutiksarbetet i Umeås landsbygder.",
            "Landsbygdsnämndens arbetsutskott",
            adopted[village],
            by=2,
            weeks_before=3,
        )
        for village, shop in villages
    }
    for village, _ in villages:
        w.outcome(
            issues[village],
            [decisions[village]],
            "Butiken har fått fler kunder under piloten.",
            [("kunder per vecka", "410", "st", "350", "400")],
            observed[village],
        )


def ljusdal(w: DemoWriter) -> None:
    far = w.issue(
        "Tallåsen",
        "Stöd till butik med mer än 3 mil till nästa butik",
        "Butiken i Tallåsen ligger över 30 km från närmaste alternativ.",
        "groceries",
        "Tallåsens byalag",
        on=date(2023, 1, 10),
    )
    w.assign(far, 1)
    w.note(far, date(2023, 2, 2), "Byalaget har samlat in namn till stöd för butiken.", public=True)
    decided = w.decide(
        far,
        "Servicebidrag till butiken i Tallåsen",
        "Avståndet till nästa butik överstiger 3 mil.",
        "Kommunstyrelsen",
        date(2023, 5, 16),
        "KS 2023/140",
    )
    entry = w.issue(
        "Ljusdal",
        "En väg in för byalagen",
        "Byalagen ska ha en tydlig kontaktväg till kommunen i landsbygdsfrågor.",
        "public_service_point",
        "Ljusdalsbygdens byalagsråd",
        kind="resident_group",
        by=2,
        on=date(2023, 8, 21),
    )
    w.assign(entry, 2, by=2)
    w.note(entry, date(2023, 9, 12), "Förslag: en funktionsbrevlåda och fasta träffar.", by=1)
    funds = w.issue(
        "Tallåsen",
        "Bygdemedel från vindkraft för lokal service",
        "En samverkansform för hur bygdemedel kan användas för att säkra service.",
        "other",
        "Tallåsens byalag",
        by=2,
        on=date(2024, 3, 4),
    )
    w.assign(funds, 2, by=2)
    w.note(
        funds,
        date(2024, 4, 22),
        "Vindkraftsbolaget är positivt till en gemensam fond.",
        kind="meeting",
        public=True,
        by=1,
    )
    w.outcome(
        far,
        [decided],
        "Butiken håller öppet året runt.",
        [("öppetdagar per år", "350", "dagar", "300", "350")],
        date(2024, 8, 31),
    )
    # The recent weeks: a task force for the fund, and the way in is still waiting.
    fund = w.task_force(
        funds,
        "Bygdefond Tallåsen",
        "Ta fram stadgar för en bygdefond tillsammans med byalaget och vindkraftsbolaget.",
        ("Anna Demo", "Ljusdals kommun", 2),
        days=150,
        by=2,
        on=w.days_ago(35),
    )
    w.member(fund, "Gustav Demo", "Tallåsens byalag", "ordförande", by=2)
    w.run(c_progress(fund, "Utkast till stadgar skickat till byalaget."), 2, w.days_ago(12))
    w.follow_up(entry, w.days_ago(9), "Svara byalagsrådet om funktionsbrevlådan.", by=2)


def söderhamn(w: DemoWriter) -> None:
    tronö = w.issue(
        "Trönö",
        "Servicemodell för kommundelscentrat Trönö",
        "En modell för samarbete mellan kommunen och kommundelscentrat tas fram i Trönö "
        "och ska sedan användas i fler kommundelscentra.",
        "public_service_point",
        "Trönö bygdeförening",
        on=date(2022, 9, 26),
    )
    w.assign(tronö, 1)
    w.note(tronö, date(2022, 10, 19), "Första träffen i bygdegården i Trönö.", public=True)
    w.note(
        tronö,
        date(2023, 3, 28),
        "Bygdeföreningen vill vara ambassadör för modellen.",
        kind="meeting",
    )
    force = w.task_force(
        tronö,
        "Modellgrupp Trönö",
        "Beskriva modellen så att den kan flyttas.",
        ("Anders Demo", "Söderhamns kommun", 1),
        days=150,
        on=date(2023, 4, 11),
    )
    w.member(force, "Karin Demo", "Trönö bygdeförening", "ordförande")
    w.run(
        c_extend(force, date(2024, 3, 29), "Modellen prövas även under vintern."),
        1,
        date(2023, 8, 30),
    )
    w.plan_dialogue("Trönö", 4, "Trönö bygdeförening", date(2024, 1, 15), on=date(2023, 12, 12))
    decided = w.decide(
        tronö,
        "Servicemodell för kommundelscentra",
        "Modellen från Trönö blir kommunens arbetssätt.",
        "Kommunstyrelsen",
        date(2024, 2, 6),
        "KS 2024/31",
        task_force=force,
        by=2,
    )
    w.run(c_complete(force, "Modellen beskriven och överlämnad."), 1, date(2024, 3, 5))
    nästa = w.issue(
        "Sandvik",
        "Modellen i ett andra kommundelscentrum",
        "Modellen från Trönö upprepas i Sandvik (påhittad ort).",
        "public_service_point",
        "Sandviks byalag",
        by=2,
        on=date(2024, 8, 20),
    )
    w.assign(nästa, 2, by=2)
    w.note(
        nästa,
        date(2024, 9, 3),
        "Trönö bygdeförening berättade om sina erfarenheter.",
        public=True,
        by=1,
    )
    w.outcome(
        tronö,
        [decided],
        "Modellen dokumenterad och införd i ett andra centrum.",
        [("kommundelscentra med modellen", "2", "st", "0", "2")],
        date(2024, 10, 15),
    )
    # The recent past: the autumn meeting in Trönö keeps the plan on time.
    w.note(tronö, w.days_ago(75), "Höstmöte i bygdegården om modellens första år.", by=1)


def mora(w: DemoWriter) -> None:
    # One person does everything here: the insight shows `single_person`.
    issue = w.issue(
        "Nybodarna",
        "Landsbygdsaktiviteter i de årliga handlingsplanerna",
        "Arbetssättet ska in i den ordinarie verksamheten via handlingsplanerna.",
        "other",
        "Mora kommun",
        kind="municipality",
        on=date(2022, 12, 15),
    )
    w.assign(issue, 1)
    w.note(issue, date(2023, 1, 24), "Genomgång av handlingsplanen med byarådet.", by=1)
    w.note(issue, date(2023, 8, 15), "Aktiviteterna för 2024 inskrivna.", public=True, by=1)
    decided = w.decide(
        issue,
        "Handlingsplan för landsbygdsprogrammet 2024",
        "Aktiviteterna för service skrivs in i planen.",
        "Kommunstyrelsen",
        date(2023, 12, 12),
        "KS 2023/302",
    )
    w.outcome(
        issue,
        [decided],
        "Fem serviceaktiviteter ingår i handlingsplanen.",
        [("aktiviteter i planen", "5", "st", "0", "4")],
        date(2024, 3, 1),
        verified_by=None,
    )
    # The recent weeks: still one person, and a follow-up nobody acted on.
    w.note(issue, w.days_ago(30), "Byarådet undrar över handlingsplanen för nästa år.", by=1)
    w.follow_up(issue, w.days_ago(5), "Skicka utkastet till byarådet.", by=1)


def falun(w: DemoWriter) -> None:
    issue = w.issue(
        "Rönnåsen",
        "Bygdelots och kontaktpersoner på förvaltningarna",
        "En bygdelots prövas, och kontaktpersoner i servicefrågor kartläggs på "
        "varje förvaltning. A rural guide and a contact map.",
        "public_service_point",
        "Rönnåsens intresseförening",
        on=date(2023, 3, 1),
    )
    w.assign(issue, 1)
    w.note(issue, date(2023, 4, 5), "Bygdelotsen presenterade sig på byastämman.", public=True)
    w.note(issue, date(2023, 11, 21), "Kontaktkartan omfattar sex förvaltningar.", by=1)
    decided = w.decide(
        issue,
        "Bygdelots som ordinarie funktion",
        "Lotsen har förenklat kontakterna med kommunen.",
        "Kommunstyrelsen",
        date(2024, 4, 9),
        "KS 2024/77",
        by=2,
    )
    w.outcome(
        issue,
        [decided],
        "Bygdelotsen hade 120 ärenden under året.",
        [("ärenden via bygdelotsen", "120", "st", None, "100")],
        date(2024, 6, 30),
    )
    # The recent weeks: the bygdelots goes on parental leave; the issue stays with her.
    w.at(w.days_ago(21))
    w.leave(
        1,
        w.days_ago(21),
        w.days_ago(-160),
        "Föräldraledig till våren. Intresseföreningen hänvisas till växeln under tiden.",
        by=2,
    )
    w.follow_up(issue, w.days_ago(-3), "Stäm av kontaktkartan med förvaltningarna.", by=2)


def ludvika(w: DemoWriter) -> None:
    issue = w.issue(
        "Skålgruvan",
        "Statistikverktyg för lokal utveckling",
        "Kommunen söker statistiska verktyg som visar landsbygdens läge, och vill "
        "att landsbygdens perspektiv syns i översiktsplanen.",
        "other",
        "Ludvika kommun",
        kind="municipality",
        on=date(2023, 5, 10),
    )
    w.assign(issue, 2)
    w.note(issue, date(2023, 6, 7), "Genomgång av befolkningsstatistik per by.", by=1)
    decided = w.decide(
        issue,
        "Landsbygdsbilaga till översiktsplanen",
        "Statistiken underbygger planens landsbygdsdel.",
        "Kommunfullmäktige",
        date(2024, 5, 27),
        "KF 2024/45",
        by=2,
    )
    w.outcome(
        issue,
        [decided],
        "Bilagan antagen med nyckeltal per by.",
        [("byar med nyckeltal", "24", "st", "0", "20")],
        date(2024, 9, 30),
    )


def sala(w: DemoWriter) -> None:
    issue = w.issue(
        "Ekhammar",
        "Tydlig ansvarsfördelning mellan aktörerna",
        "En process där kommun, butik och byalag vet vem som gör vad.",
        "groceries",
        "Ekhammars byalag",
        on=date(2023, 2, 20),
    )
    w.assign(issue, 1)
    w.note(
        issue,
        date(2023, 3, 14),
        "Ansvarsmatris diskuterad med byalag och butik.",
        kind="meeting",
        public=True,
    )
    decided = w.decide(
        issue,
        "Ansvarsfördelning för servicearbetet",
        "Roller och ansvar skrivs ned för alla parter.",
        "Kommunstyrelsen",
        date(2023, 9, 19),
        "KS 2023/190",
    )
    w.outcome(
        issue,
        [decided],
        "Ansvarsfördelningen används även i en andra by.",
        [("orter som använder modellen", "2", "st", "0", "2")],
        date(2024, 6, 1),
    )


def åtvidaberg(w: DemoWriter) -> None:
    need = w.issue(
        "Falerum",
        "Behovet av grundläggande service i Falerum",
        "Målet är en tydlig bild av behovet av dagligvaror och andra tjänster i Falerum, "
        "och rimliga lokala lösningar framtagna tillsammans med orten.",
        "groceries",
        "Falerums byalag",
        on=date(2022, 11, 7),
    )
    w.assign(need, 1)
    w.note(need, date(2022, 11, 29), "Enkät till hushållen i Falerum planerad.", public=True)
    w.plan_dialogue("Falerum", 4, "Falerums byalag", date(2023, 1, 10), on=date(2022, 12, 15))
    w.note(need, date(2023, 4, 12), "Enkäten besvarad av 260 hushåll.", kind="site_visit")
    point = w.issue(
        "Falerum",
        "Kommunal servicepunkt i Falerum",
        "En servicepunkt i samverkan med en eller flera lokala aktörer.",
        "public_service_point",
        "Falerums byalag",
        by=2,
        on=date(2023, 5, 2),
    )
    w.assign(point, 2, by=2)
    force = w.task_force(
        point,
        "Servicepunkt Falerum",
        "Ta fram ett förslag på servicepunkt med byalaget och handlaren.",
        ("Eva Demo", "Åtvidabergs kommun", 2),
        days=300,
        by=2,
        on=date(2023, 6, 1),
    )
    w.member(force, "Nils Demo", "Falerums byalag", "sekreterare", by=2)
    w.run(c_progress(force, "Två möjliga lokaler besökta."), 2, date(2023, 9, 14))
    decided = w.decide(
        point,
        "Servicepunkt i Falerum",
        "Servicepunkten drivs i butikens lokaler med kommunalt stöd.",
        "Kommunstyrelsen",
        date(2024, 3, 12),
        "KS 2024/58",
        task_force=force,
        by=2,
    )
    w.run(c_complete(force, "Förslaget antaget; servicepunkten förbereds."), 2, date(2024, 3, 20))
    w.outcome(
        point,
        [decided],
        "Servicepunkten öppnade med paketombud och kommuninformation.",
        [("besök per månad", "540", "st", None, "400")],
        date(2024, 11, 30),
        by=2,
        verified_by=1,
    )
    # The recent past: the last dialogue in Falerum was five months ago, so it is overdue.
    w.note(need, w.days_ago(150), "Dialog med byalaget om servicepunktens första halvår.", by=1)
    w.follow_up(need, w.days_ago(-3), "Boka nästa dialog med byalaget.", by=1)


def vetlanda(w: DemoWriter) -> None:
    hubs = w.issue(
        "Björkhult",
        "Servicehubbar och en serviceplan",
        "Kommunen vill minska personberoendet och väga in service i alla beslut.",
        "public_service_point",
        "Björkhults samhällsförening",
        on=date(2023, 1, 16),
    )
    w.assign(hubs, 2)
    w.note(hubs, date(2023, 2, 21), "Samhällsföreningen vill bli servicehubb.", public=True)
    plan = w.issue(
        "Björkhult",
        "Service som stående punkt i beslutsunderlag",
        "En rutin där varje beslutsunderlag beskriver följderna för service.",
        "other",
        "Vetlanda kommun",
        kind="municipality",
        by=2,
        on=date(2023, 9, 4),
    )
    w.assign(plan, 2, by=2)
    decided = w.decide(
        plan,
        "Servicekonsekvenser i beslutsunderlag",
        "Rutinen minskar beroendet av enskilda tjänstepersoner.",
        "Kommunstyrelsen",
        date(2024, 1, 23),
        "KS 2024/12",
        by=2,
    )
    w.outcome(
        plan,
        [decided],
        "Rutinen används i alla nämnders underlag.",
        [("nämnder som följer rutinen", "7", "st", "0", "7")],
        date(2024, 9, 1),
        by=2,
        verified_by=1,
    )
    w.run(
        c_leave(
            w,
            2,
            1,
            "Maria slutar. Kontakterna med samhällsföreningen och underlagen "
            "finns i diariet; ny kontaktperson är presenterad för föreningen.",
        ),
        1,
        date(2024, 10, 31),
    )
    # Assigned after the departure, from an old template: the insight shows `orphaned`.
    late = w.issue(
        "Björkhult",
        "Laddstolpe vid servicehubben",
        "Önskemål om laddning för elbil vid hubben.",
        "fuel",
        "Björkhults samhällsförening",
        on=date(2024, 11, 20),
    )
    w.assign(late, 2)


def mörbylånga(w: DemoWriter) -> None:
    gårdby = w.issue(
        "Gårdby",
        "Plan för ny service i Gårdby",
        "Gårdby är kommunens pilot för systematiskt arbete med lokalsamhället kring service.",
        "groceries",
        "Gårdby byalag",
        on=date(2023, 4, 3),
    )
    w.assign(gårdby, 1)
    w.note(
        gårdby,
        date(2023, 5, 16),
        "Byavandring i Gårdby med byalaget.",
        kind="site_visit",
        public=True,
    )
    force = w.task_force(
        gårdby,
        "Pilot Gårdby",
        "Ta fram en plan för ny service i Gårdby.",
        ("Sofia Demo", "Mörbylånga kommun", 1),
        days=400,
        on=date(2023, 6, 5),
    )
    w.member(force, "Olof Demo", "Gårdby byalag", "ordförande")
    w.run(c_progress(force, "Utkast till serviceplan för Gårdby klart."), 1, date(2023, 11, 8))
    decided = w.decide(
        gårdby,
        "Service i översiktsplanen",
        "Piloten i Gårdby visar varför service behöver en plats i planen.",
        "Kommunfullmäktige",
        date(2024, 6, 17),
        "KF 2024/61",
        task_force=force,
        by=2,
    )
    w.run(
        c_complete(force, "Planen för Gårdby överlämnad till kommunstyrelsen."),
        1,
        date(2024, 6, 24),
    )
    w.outcome(
        gårdby,
        [decided],
        "Service har ett eget avsnitt i översiktsplanen.",
        [("avsnitt om service i ÖP", "1", "st", "0", "1")],
        date(2024, 7, 1),
    )
    w.plan_dialogue("Gårdby", 3, "Gårdby byalag", date(2024, 8, 1))
    # The recent weeks: a site visit keeps Gårdby's plan on time.
    w.note(
        gårdby,
        w.days_ago(18),
        "Byavandring: var ska laddplatsen stå?",
        kind="site_visit",
        public=True,
        by=1,
    )


def ronneby(w: DemoWriter) -> None:
    issue = w.issue(
        "Bräkne-Lid",
        "Lokal utvecklingsplan och samverkansforum",
        "Lokala utvecklingsplaner och ett forum där byarna och kommunen möts.",
        "other",
        "Bräkne-Lids byaråd",
        kind="resident_group",
        on=date(2022, 11, 14),
    )
    w.assign(issue, 1)
    w.note(issue, date(2022, 12, 6), "Första samverkansforumet hölls i skolan.", public=True)
    decided = w.decide(
        issue,
        "Samverkansforum för landsbygden",
        "Forumet samlas två gånger om året.",
        "Kommunstyrelsen",
        date(2022, 12, 14),
        "KS 2022/301",
        by=2,
        weeks_before=1,
    )
    w.note(
        issue,
        date(2023, 10, 10),
        "Byarådet har skrivit utkast till utvecklingsplan.",
        kind="meeting",
    )
    w.outcome(
        issue,
        [decided],
        "Tre byar har lokala utvecklingsplaner.",
        [("byar med utvecklingsplan", "3", "st", "0", "3")],
        date(2024, 10, 1),
    )
    w.run(
        c_resolve(issue, "Forum och planer är på plats; arbetet går in i linjen."),
        2,
        date(2024, 10, 22),
    )


# Small command builders, so the programme above reads as a story.


def c_progress(task_force: object, text: str) -> c.ReportProgress:
    return c.ReportProgress(task_force_id=task_force, text=text)  # type: ignore[arg-type]


def c_handover(task_force: object, to_member: str, note: str) -> c.HandOverLead:
    return c.HandOverLead(task_force_id=task_force, to_member_id=to_member, note=note)  # type: ignore[arg-type]


def c_complete(task_force: object, summary: str) -> c.CompleteTaskForce:
    return c.CompleteTaskForce(task_force_id=task_force, summary=summary)  # type: ignore[arg-type]


def c_extend(task_force: object, due_on: date, reason: str) -> c.ExtendMandate:
    return c.ExtendMandate(task_force_id=task_force, due_on=due_on, reason=reason)  # type: ignore[arg-type]


def c_resolve(issue: object, summary: str) -> c.ResolveIssue:
    return c.ResolveIssue(issue_id=issue, summary=summary)  # type: ignore[arg-type]


def c_leave(w: DemoWriter, leaving: int, to: int, note: str) -> c.HandOverResponsibilities:
    return c.HandOverResponsibilities(
        municipality=w.code, from_user=w.user(leaving), to_user=w.user(to), note=note
    )


Loader = Callable[[DemoWriter], None]
PROGRAMME_LOADERS: list[tuple[str, str, Loader]] = [
    ("2422", "sorsele", sorsele),
    ("2418", "mala", malå),
    ("2417", "norsjo", norsjö),
    ("2462", "vilhelmina", vilhelmina),
    ("2480", "umea", umeå),
    ("2161", "ljusdal", ljusdal),
    ("2182", "soderhamn", söderhamn),
    ("2062", "mora", mora),
    ("2080", "falun", falun),
    ("2085", "ludvika", ludvika),
    ("1983", "sala", sala),
    ("0561", "atvidaberg", åtvidaberg),
    ("0685", "vetlanda", vetlanda),
    ("0840", "morbylanga", mörbylånga),
    ("1081", "ronneby", ronneby),
]
PROGRAMME_LOADERS += PLACES_LOADERS  # localities, services, plans, contacts: after the issues
