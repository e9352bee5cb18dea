"""What the desk must find in the seed articles (issue #3's acceptance list)."""

NAMED_PEOPLE = [
    "Megan Thee Stallion",
    "Justin Timberlake",
    "Cardi B",
    "Taylor Swift",
    "Lance Bass",
    "JC Chasez",
    "Joey Fatone",
    "Chris Kirkpatrick",
    "Benicio Del Toro",
    "Alicia Silverstone",
]
NOT_PEOPLE = ["MTV", "Toronto International Film Festival", "Bongos", "Netflix"]
