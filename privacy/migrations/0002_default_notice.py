"""Create the site's privacy notice with a default text in Finnish and Swedish.

The administrator fills in the controller's details (the bracketed parts) and checks the text
against how the organisation runs Vastuu: who hosts it, and whether the retention period
(settings.VASTUU_RETENTION_MONTHS, 12 months, applied by purge_personal_data) has been changed.
"""

from django.db import migrations
from django.utils import timezone

TITLE = {"fi": "Tietosuojaseloste", "sv": "Dataskyddsbeskrivning"}

CONTROLLER = {
    "fi": """[Organisaation nimi ja yhteystiedot]
Tietosuojavastaava: [nimi ja yhteystiedot]
Yhteyshenkilö palvelua koskevissa asioissa: [nimi ja yhteystiedot]""",
    "sv": """[Organisationens namn och kontaktuppgifter]
Dataskyddsombud: [namn och kontaktuppgifter]
Kontaktperson i frågor som gäller tjänsten: [namn och kontaktuppgifter]""",
}

BODY_FI = """\
Tämä seloste kertoo, miten Vastuu-palvelussa käsitellään henkilötietoja (EU:n yleinen \
tietosuoja-asetus 2016/679, 13 ja 14 artikla). Rekisterinpitäjän yhteystiedot ovat yllä.

## Käsittelyn tarkoitus

Vastuu-palvelussa hallitaan kasvatus- ja opetuspalvelujen digitaalisen työn vastuita: kuka \
hoitaa mitäkin roolia ja tehtävää toimintayksiköissä ja organisaatiossa (vastuumatriisi). \
Lisäksi palvelussa pidetään laiterekisteriä: mitä laitteita yksiköillä on ja kenelle ne on \
lainattu.

## Käsittelyn oikeusperuste

Henkilötietoja käsitellään rekisterinpitäjän yleisen edun mukaisen tehtävän suorittamiseksi \
(tietosuoja-asetuksen 6 artiklan 1 kohdan e alakohta) ja rekisterinpitäjän lakisääteisten \
velvoitteiden noudattamiseksi (6 artiklan 1 kohdan c alakohta). Näitä ovat varhaiskasvatuksen \
ja opetuksen järjestäminen sekä julkisen omaisuuden hoito.

## Käsiteltävät henkilötiedot

- Henkilöstö: nimi, tehtävänimike, sähköpostiosoite, organisaatio, roolit ja tehtävät \
alkamis- ja päättymispäivineen sekä organisaatiosta lähtemisen päivä.
- Käyttäjätunnukset: käyttäjätunnus, salasanan tiiviste, käyttöoikeudet ja viimeisin \
kirjautuminen.
- Laitteet: henkilöstölle lainatut laitteet, luovutus- ja palautusajat, laitteen kunto \
luovutettaessa ja palautettaessa sekä laitetapahtumat ja niiden kirjaajat.
- Oppilaat: vain koulun antama tunnistekoodi (pseudonyymi), kun oppilaalle on lainattu laite. \
Oppilaan nimeä tai henkilötunnusta ei tallenneta palveluun.
- Muutoshistoria: kuka muutti mitäkin tietoa, milloin ja miten.

Palvelu käyttää vain toiminnan kannalta välttämättömiä evästeitä: kirjautumiseen, lomakkeiden \
suojaukseen ja kielivalinnan muistamiseen.

## Tietolähteet

Tiedot saadaan rekisterinpitäjän omista henkilöstö- ja organisaatiotiedoista sekä henkilöltä \
itseltään. Tiedot kirjaavat tai tuovat palveluun pääkäyttäjät, esihenkilöt ja laitevastaavat. \
Oppilaan tunnistekoodin antaa koulu. Laitteiden tiedot kirjataan luovutuksen, palautuksen ja \
inventoinnin yhteydessä.

## Säilytysaika

Henkilön roolit ja tehtävät säilytetään niin kauan kuin hän työskentelee organisaatiossa. Kun \
henkilö on lähtenyt organisaatiosta, hänen roolinsa päätetään ja hänen käyttäjätunnuksensa \
suljetaan.

Päättyneiden lainojen oppilaskoodit ja vapaamuotoiset merkinnät poistetaan 12 kuukauden \
kuluttua laitteen palautuksesta. Samalla poistetaan organisaatiosta lähteneiden henkilöiden \
nimet yli 12 kuukautta vanhoista lainoista ja laitetapahtumista.

Muutoshistoriaa säilytetään niin kauan kuin sitä tarvitaan tietojen oikeellisuuden ja \
käsittelyn jäljitettävyyden varmistamiseen. Kun henkilön tiedot poistetaan, hänen nimensä \
poistetaan myös muutoshistoriasta.

## Tietojen luovutukset ja siirrot

Tietoja ei luovuteta säännönmukaisesti muille. Palvelun teknisestä ylläpidosta voi huolehtia \
rekisterinpitäjän lukuun toimiva palveluntarjoaja (henkilötietojen käsittelijä), joka \
käsittelee tietoja vain rekisterinpitäjän ohjeiden mukaan. Tietoja ei siirretä Euroopan \
unionin tai Euroopan talousalueen ulkopuolelle.

## Tietojen suojaus

Tietoja näkevät vain ne, joiden tehtävät sitä edellyttävät: käyttöoikeudet perustuvat \
käyttäjän rooleihin ja yksiköihin. Palveluun kirjaudutaan henkilökohtaisella tunnuksella.

## Rekisteröidyn oikeudet

Sinulla on oikeus
- saada tietää, mitä tietoja sinusta käsitellään, ja saada ne itsellesi
- vaatia virheellisten tietojen oikaisemista
- vaatia tietojesi poistamista tai niiden käsittelyn rajoittamista, kun siihen on \
tietosuoja-asetuksen mukainen peruste
- vastustaa tietojesi käsittelyä erityiseen tilanteeseesi liittyvällä perusteella
- tehdä valitus tietosuojavaltuutetun toimistolle, jos katsot, että tietojesi käsittely \
rikkoo tietosuoja-asetusta (https://tietosuoja.fi).

## Oikeuksien käyttäminen

Lähetä pyyntö rekisterinpitäjälle yllä olevilla yhteystiedoilla. Henkilöllisyytesi \
tarkistetaan ennen kuin tietoja annetaan. Pääkäyttäjä voi koota palvelusta kaikki sinusta \
tallennetut tiedot ja antaa ne sinulle. Pyyntöön vastataan ilman aiheetonta viivytystä, \
yleensä kuukauden kuluessa.
"""

BODY_SV = """\
Denna beskrivning berättar hur personuppgifter behandlas i tjänsten Vastuu (EU:s allmänna \
dataskyddsförordning 2016/679, artiklarna 13 och 14). Den personuppgiftsansvariges \
kontaktuppgifter finns ovan.

## Ändamålet med behandlingen

I tjänsten Vastuu förvaltas ansvaret för det digitala arbetet inom fostran och utbildning: \
vem som sköter vilka roller och uppgifter i verksamhetsenheterna och i organisationen \
(ansvarsmatris). I tjänsten förs också ett apparatregister: vilka apparater enheterna har och \
till vem de har lånats ut.

## Rättslig grund för behandlingen

Personuppgifterna behandlas för att utföra en uppgift av allmänt intresse som den \
personuppgiftsansvarige har (dataskyddsförordningen artikel 6.1 e) och för att fullgöra den \
personuppgiftsansvariges rättsliga förpliktelser (artikel 6.1 c). Till dessa hör att ordna \
småbarnspedagogik och undervisning och att förvalta offentlig egendom.

## Personuppgifter som behandlas

- Personal: namn, titel, e-postadress, organisation, roller och uppgifter med start- och \
slutdatum samt den dag personen lämnade organisationen.
- Användarkonton: användarnamn, lösenordets hashvärde, behörigheter och senaste inloggning.
- Apparater: apparater som lånats ut till personalen, tidpunkter för utlåning och återlämning, \
apparatens skick vid utlåning och återlämning samt händelser och vem som registrerade dem.
- Elever: endast en kod som skolan ger (pseudonym) när en elev har lånat en apparat. Elevens \
namn eller personbeteckning sparas inte i tjänsten.
- Ändringshistorik: vem som ändrade vilken uppgift, när och hur.

Tjänsten använder endast kakor som behövs för att den ska fungera: för inloggning, för skydd av \
formulär och för att minnas språkvalet.

## Varifrån uppgifterna kommer

Uppgifterna kommer från den personuppgiftsansvariges egna personal- och \
organisationsuppgifter och från personen själv. Huvudanvändare, chefer och apparatansvariga \
för in eller importerar uppgifterna. Elevkoden ges av skolan. Uppgifter om apparater \
registreras vid utlåning, återlämning och inventering.

## Hur länge uppgifterna sparas

En persons roller och uppgifter sparas så länge personen arbetar i organisationen. När \
personen har lämnat organisationen avslutas personens roller och användarkontot stängs.

Elevkoder och fritextanteckningar i avslutade lån raderas 12 månader efter att apparaten \
lämnades tillbaka. Samtidigt raderas namnen på personer som har lämnat organisationen ur lån \
och händelser som är äldre än 12 månader.

Ändringshistoriken sparas så länge den behövs för att säkerställa att uppgifterna är riktiga \
och att behandlingen kan spåras. När en persons uppgifter raderas, raderas personens namn \
också ur ändringshistoriken.

## Utlämnande och överföring av uppgifter

Uppgifterna lämnas inte regelbundet ut till andra. Tjänstens tekniska underhåll kan skötas av \
en tjänsteleverantör som handlar för den personuppgiftsansvariges räkning \
(personuppgiftsbiträde) och som behandlar uppgifterna endast enligt den \
personuppgiftsansvariges instruktioner. Uppgifterna överförs inte utanför Europeiska unionen \
eller Europeiska ekonomiska samarbetsområdet.

## Skydd av uppgifterna

Uppgifterna ses endast av dem som behöver dem i sitt arbete: behörigheterna grundar sig på \
användarens roller och enheter. Man loggar in i tjänsten med ett personligt användarkonto.

## Den registrerades rättigheter

Du har rätt att
- få veta vilka uppgifter om dig som behandlas och få ta del av dem
- kräva att felaktiga uppgifter rättas
- kräva att dina uppgifter raderas eller att behandlingen av dem begränsas, när det finns grund \
för det enligt dataskyddsförordningen
- invända mot behandlingen av dina uppgifter av skäl som gäller din särskilda situation
- lämna in klagomål till dataombudsmannens byrå, om du anser att behandlingen av dina \
uppgifter strider mot dataskyddsförordningen (https://tietosuoja.fi/sv).

## Hur du använder dina rättigheter

Skicka din begäran till den personuppgiftsansvarige med kontaktuppgifterna ovan. Din \
identitet kontrolleras innan uppgifter lämnas ut. Huvudanvändaren kan samla alla uppgifter som \
sparats om dig i tjänsten och ge dem till dig. Begäran besvaras utan onödigt dröjsmål, i \
regel inom en månad.
"""


def create_notice(apps, schema_editor):
    """Create the privacy notice, and its first history row, unless one exists."""
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    HistoricalPrivacyNotice = apps.get_model("privacy", "HistoricalPrivacyNotice")
    if PrivacyNotice.objects.exists():
        return
    texts = {"title": TITLE, "controller": CONTROLLER,
             "body": {"fi": BODY_FI, "sv": BODY_SV}}
    values = {}
    for name, text in texts.items():
        values.update({name: text["fi"], f"{name}_fi": text["fi"], f"{name}_sv": text["sv"]})
    notice = PrivacyNotice.objects.create(**values)
    HistoricalPrivacyNotice.objects.create(
        id=notice.pk, updated_on=notice.updated_on, history_date=timezone.now(),
        history_type="+", history_change_reason="command migrate", **values)


def delete_notice(apps, schema_editor):
    """Delete the privacy notice and its history."""
    apps.get_model("privacy", "HistoricalPrivacyNotice").objects.all().delete()
    apps.get_model("privacy", "PrivacyNotice").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_notice, delete_notice),
    ]
