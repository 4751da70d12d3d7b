"""Word lists for the Round 3 demo's groups: West Yorkshire places, kinds of group, people's names and streets.

Everything here is fictional, built from patterns: real place names, made-up organisations and people.
"""

from __future__ import annotations

from dataclasses import dataclass

# Places in each district, with a postcode district (outward code) for addresses.
PLACES: dict[str, list[tuple[str, str]]] = {
    "bradford": [
        ("Manningham", "BD8"), ("Keighley", "BD21"), ("Shipley", "BD18"), ("Bingley", "BD16"),
        ("Ilkley", "LS29"), ("Girlington", "BD8"), ("Allerton", "BD15"), ("Holme Wood", "BD4"),
        ("Eccleshill", "BD2"), ("Thornton", "BD13"), ("Haworth", "BD22"), ("Queensbury", "BD13"),
        ("Little Horton", "BD5"), ("Bowling", "BD4"), ("Wyke", "BD12"), ("Buttershaw", "BD6"),
        ("Silsden", "BD20"), ("Bradford Moor", "BD3"),
    ],
    "calderdale": [
        ("Halifax", "HX1"), ("Todmorden", "OL14"), ("Hebden Bridge", "HX7"), ("Brighouse", "HD6"),
        ("Elland", "HX5"), ("Sowerby Bridge", "HX6"), ("Mytholmroyd", "HX7"), ("Illingworth", "HX2"),
        ("Mixenden", "HX2"), ("Ovenden", "HX3"), ("Park Ward", "HX1"), ("Rastrick", "HD6"),
        ("Northowram", "HX3"), ("King Cross", "HX1"),
    ],
    "kirklees": [
        ("Huddersfield", "HD1"), ("Dewsbury", "WF13"), ("Batley", "WF17"), ("Heckmondwike", "WF16"),
        ("Cleckheaton", "BD19"), ("Mirfield", "WF14"), ("Holmfirth", "HD9"), ("Birstall", "WF17"),
        ("Ravensthorpe", "WF13"), ("Savile Town", "WF12"), ("Marsden", "HD7"), ("Slaithwaite", "HD7"),
        ("Deighton", "HD2"), ("Fartown", "HD2"), ("Almondbury", "HD5"), ("Birkby", "HD2"),
    ],
    "leeds": [
        ("Holbeck", "LS11"), ("Beeston", "LS11"), ("Harehills", "LS8"), ("Chapeltown", "LS7"),
        ("Armley", "LS12"), ("Seacroft", "LS14"), ("Gipton", "LS9"), ("Hunslet", "LS10"),
        ("Middleton", "LS10"), ("Belle Isle", "LS10"), ("Kirkstall", "LS5"), ("Burmantofts", "LS9"),
        ("Otley", "LS21"), ("Morley", "LS27"), ("Pudsey", "LS28"), ("Garforth", "LS25"),
        ("Headingley", "LS6"), ("Lincoln Green", "LS9"), ("Osmondthorpe", "LS9"), ("Swarcliffe", "LS14"),
    ],
    "wakefield": [
        ("Castleford", "WF10"), ("Pontefract", "WF8"), ("Ossett", "WF5"), ("Normanton", "WF6"),
        ("Featherstone", "WF7"), ("Knottingley", "WF11"), ("Hemsworth", "WF9"), ("South Elmsall", "WF9"),
        ("Airedale", "WF10"), ("Lupset", "WF2"), ("Eastmoor", "WF1"), ("Horbury", "WF4"),
        ("Stanley", "WF3"), ("Agbrigg", "WF1"), ("Outwood", "WF1"), ("Portobello", "WF2"),
    ],
}  # fmt: skip
DISTRICT_WEIGHTS = {"leeds": 30, "bradford": 25, "kirklees": 20, "wakefield": 15, "calderdale": 10}


# Kinds of group: how the name is made, the legal forms they take, what they do.
@dataclass(frozen=True)
class Kind:
    name: str  # "{place}" is replaced by the place
    org_types: tuple[str, ...]
    does: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("{place} Youth Project", ("registered_charity", "cio"),
             "runs youth clubs, detached youth work and mentoring for young people aged 8 to 19"),
        Kind("{place} Youth Club", ("community_group", "registered_charity"),
             "runs evening youth sessions three nights a week from our own building"),
        Kind("{place} Boxing Club", ("community_group", "cic"),
             "is an amateur boxing club training over 100 young people and adults every week"),
        Kind("{place} Junior Football Club", ("community_group", "cic"),
             "runs football teams for boys and girls from under-7s to under-16s"),
        Kind("{place} Martial Arts Academy", ("cic",),
             "teaches martial arts, self-defence and confidence to children and adults"),
        Kind("{place} Community Association", ("registered_charity", "community_group", "cio"),
             "runs the community centre and brings residents together through activities and events"),
        Kind("{place} Tenants and Residents Association", ("community_group",),
             "represents tenants and residents on the estate and organises activities for them"),
        Kind("{place} Neighbourhood Watch", ("community_group",),
             "co-ordinates Neighbourhood Watch schemes and keeps residents in touch with the police"),
        Kind("{place} Women's Centre", ("registered_charity", "cio"),
             "supports women with advice, counselling, courses and a safe place to meet"),
        Kind("{place} Men's Shed", ("community_group", "cio"),
             "gives men a place to make things, share skills and talk"),
        Kind("{place} Food Bank", ("registered_charity", "cio"),
             "provides emergency food parcels and signposting to families in crisis"),
        Kind("{place} Mosque Community Trust", ("registered_charity",),
             "runs the mosque's community services: a youth club, advice sessions and a food bank"),
        Kind("{place} Interfaith Forum", ("cio", "community_group"),
             "brings together people of different faiths and none to build understanding"),
        Kind("{place} Street Angels", ("cio", "registered_charity"),
             "sends trained volunteers into the town centre on weekend nights to help people who are vulnerable"),
        Kind("{place} Recovery Café", ("cic", "cio"),
             "runs a café and peer support groups for people recovering from drug and alcohol problems"),
        Kind("{place} Business Association", ("company_limited_by_guarantee",),
             "represents the town centre's shops, pubs and businesses"),
        Kind("{place} Traders' Association", ("community_group",),
             "brings together independent traders on the high street"),
        Kind("{place} Cycling Club", ("community_group",),
             "runs rides, cycle training and maintenance sessions for all ages"),
        Kind("{place} Primary School", ("school",),
             "is a primary school of around 400 pupils"),
        Kind("{place} Youth Theatre", ("cic", "registered_charity"),
             "makes theatre with and for young people, using drama to explore issues that matter to them"),
        Kind("{place} Refugee Support Group", ("cio",),
             "welcomes and supports refugees and people seeking asylum"),
        Kind("{place} Pride", ("cic", "community_group"),
             "supports LGBT+ people and runs the local Pride celebration"),
        Kind("{place} Disability Forum", ("cio",),
             "is run by and for disabled people, campaigning for access and running peer support"),
        Kind("{place} Carers' Network", ("registered_charity",),
             "supports unpaid carers with advice, breaks and peer groups"),
        Kind("{place} Community Garden", ("community_group", "cic"),
             "looks after a community garden and growing space open to everyone"),
        Kind("{place} Residents' Association", ("community_group",),
             "represents residents and works with the council and police on local issues"),
        Kind("{place} Homeless Outreach", ("cio",),
             "goes out to people sleeping rough and street drinkers, offering food, help and a route to services"),
        Kind("{place} Dance Academy", ("cic",),
             "runs street dance and performance classes for young people"),
        Kind("{place} Cricket Club", ("community_group",),
             "runs junior and senior cricket with free coaching for local children"),
        Kind("{place} Sikh Community Centre", ("registered_charity",),
             "serves the local Sikh community and its neighbours with a langar, classes and youth work"),
    )
}  # fmt: skip

FIRST_NAMES = (
    "Aisha", "Mohammed", "Sarah", "James", "Priya", "Tariq", "Emma", "Daniel", "Fatima", "Imran", "Joanne",
    "Karen", "Lee", "Nadia", "Rebecca", "Shazia", "Stephen", "Zainab", "Gary", "Claire", "Asif", "Bilal",
    "Hannah", "Julie", "Kirsty", "Marcus", "Natalie", "Paul", "Rizwan", "Sadia", "Tom", "Yasmin", "Ahmed",
    "Gemma", "Jaspreet", "Kamran", "Leanne", "Michelle", "Neil", "Olu", "Ruth", "Sean", "Tracy", "Wendy",
    "Amir", "Chloe", "Dean", "Ellie", "Farhan", "Grace", "Agnieszka", "Kwame", "Deborah", "Hamza",
)  # fmt: skip
LAST_NAMES = (
    "Ahmed", "Akhtar", "Begum", "Brown", "Clarke", "Hussain", "Khan", "Patel", "Smith", "Taylor", "Walker",
    "Wilson", "Wood", "Shaw", "Hirst", "Haigh", "Sutcliffe", "Kaur", "Singh", "Mahmood", "Iqbal", "Robinson",
    "Thompson", "Wright", "Holroyd", "Greenwood", "Ackroyd", "Barker", "Dixon", "Ali", "Mistry", "Nowak",
    "Mensah", "Campbell", "Lord", "Pickles", "Firth", "Booth", "Rhodes", "Sykes",
)  # fmt: skip
POSITIONS = ("Chair", "Treasurer", "Secretary", "Project Coordinator", "Centre Manager", "Director", "Trustee",
             "Founder", "Head Coach", "Volunteer Coordinator")  # fmt: skip
STREETS = ("Church Street", "Station Road", "High Street", "Mill Lane", "Victoria Road", "Park Road",
           "Chapel Street", "Albert Road", "New Street", "Back Lane", "Westgate", "Northgate")  # fmt: skip
