"""Text building blocks of the sample business: survey comments, exit reasons, interview notes.

Private to :mod:`kit.sample`. Every sentence is written so that the codebook's theme words
(delivery, price, quality, service, packaging, website, subscription, range) occur naturally.
"""

from __future__ import annotations

__all__: list[str] = []

THEMES = ("delivery", "price", "quality", "service", "packaging", "website", "subscription", "range")

# (theme, polarity) -> language -> sentences. polarity: "neg" or "pos".
COMMENTS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("delivery", "neg"): {
        "de": ("Die Lieferung hat diesmal über eine Woche gedauert.",
               "Lieferung kam zu spät, der neue Versanddienstleister ist eine Katastrophe.",
               "Paket war tagelang unterwegs, die Sendungsverfolgung funktioniert nicht.",
               "Ihr liefert einfach zu langsam, der Kaffee kam nicht rechtzeitig an.",
               "Zweimal hintereinander verspätete Lieferung, das nervt."),
        "en": ("Delivery took more than a week this time.",
               "The parcel arrived late again, the new carrier is terrible.",
               "Shipping is far too slow and the tracking never updates.",
               "My delivery was lost and I had to wait for a replacement."),
    },
    ("delivery", "pos"): {
        "de": ("Die Lieferung kam schnell und pünktlich.", "Super schneller Versand, danke!"),
        "en": ("Fast delivery, arrived in two days.", "Shipping was quick and reliable."),
    },
    ("price", "neg"): {
        "de": ("Der Preis ist mir inzwischen zu hoch.", "Für den Preis gibt es im Supermarkt gute Alternativen.",
               "Leider zu teuer geworden, die Versandkosten kommen noch dazu.",
               "Die letzte Preiserhöhung war zu viel."),
        "en": ("Too expensive for everyday coffee.", "The price went up again, hard to justify.",
               "Shipping costs make it expensive compared to other roasters."),
    },
    ("price", "pos"): {
        "de": ("Fairer Preis für diese Qualität.",),
        "en": ("Fair price for what you get.",),
    },
    ("quality", "neg"): {
        "de": ("Die letzte Röstung schmeckte bitter und nicht frisch.",),
        "en": ("The last batch tasted stale.",),
    },
    ("quality", "pos"): {
        "de": ("Der Kaffee ist immer frisch geröstet und der Geschmack ist hervorragend.",
               "Tolle Qualität, die Bohnen schmecken fantastisch.",
               "Frischer als alles aus dem Supermarkt, großartiger Geschmack.",
               "Die Qualität der Bohnen ist konstant top."),
        "en": ("Excellent quality, always freshly roasted.", "The taste is wonderful, best espresso I have had.",
               "Great quality beans, you can taste how fresh they are."),
    },
    ("service", "neg"): {
        "de": ("Auf meine Anfrage hat der Kundenservice tagelang nicht geantwortet.",
               "Niemand hat auf meine E-Mail reagiert, schlechter Service."),
        "en": ("Customer service took days to answer my email.", "Nobody replied to my complaint, poor service."),
    },
    ("service", "pos"): {
        "de": ("Sehr freundlicher und persönlicher Service, man fühlt sich gut beraten.",
               "Der Kundenservice ist super freundlich und hilft sofort.",
               "Persönlicher Service wie beim Röster um die Ecke."),
        "en": ("Very friendly and personal service.", "Customer service was helpful and quick, thank you!",
               "The personal note in the parcel is a lovely touch, great service."),
    },
    ("packaging", "neg"): {
        "de": ("Die Verpackung war beschädigt und die Tüte aufgerissen.",),
        "en": ("The packaging was damaged and the bag had split.",),
    },
    ("packaging", "pos"): {
        "de": ("Schöne, nachhaltige Verpackung.",),
        "en": ("Lovely recyclable packaging.",),
    },
    ("website", "neg"): {
        "de": ("Der Bestellprozess auf der Website ist umständlich.", "Im Checkout fehlt PayPal."),
        "en": ("The checkout on the website is clunky.", "The website keeps logging me out at checkout."),
    },
    ("website", "pos"): {
        "de": ("Die Website ist übersichtlich, Bestellung in zwei Minuten.",),
        "en": ("Easy to order on the website.",),
    },
    ("subscription", "neg"): {
        "de": ("Das Abo lässt sich schwer pausieren.",),
        "en": ("Pausing the subscription is too complicated.",),
    },
    ("subscription", "pos"): {
        "de": ("Das Abo ist total praktisch, ich muss an nichts denken.",),
        "en": ("The subscription is so convenient.",),
    },
    ("range", "neg"): {
        "de": ("Ich würde mir mehr entkoffeinierte Sorten im Sortiment wünschen.",),
        "en": ("I wish the range had more decaf options.",),
    },
    ("range", "pos"): {
        "de": ("Tolles Sortiment, ich probiere jeden Monat etwas Neues.",),
        "en": ("Great range of origins to try.",),
    },
}

# Which themes comments of each NPS class mention (theme, polarity, weight).
COMMENT_MIX: dict[str, tuple[tuple[str, str, float], ...]] = {
    "detractor": (("delivery", "neg", 0.42), ("price", "neg", 0.32), ("packaging", "neg", 0.07),
                  ("website", "neg", 0.07), ("service", "neg", 0.05), ("quality", "neg", 0.04),
                  ("subscription", "neg", 0.03)),
    "passive": (("quality", "pos", 0.22), ("price", "neg", 0.2), ("delivery", "neg", 0.18),
                ("website", "neg", 0.1), ("range", "neg", 0.1), ("service", "pos", 0.1),
                ("subscription", "pos", 0.1)),
    "promoter": (("quality", "pos", 0.44), ("service", "pos", 0.3), ("range", "pos", 0.08),
                 ("subscription", "pos", 0.08), ("delivery", "pos", 0.05), ("packaging", "pos", 0.03),
                 ("website", "pos", 0.02)),
}

SCRIPT_COMMENT = "Alles gut <script>alert(1)</script> – der Kaffee ist frisch und schmeckt."
CONTACT_COMMENT = ("Bitte rufen Sie mich zurück: 0171 2345678 oder schreiben Sie an "
                   "jana.beispiel@example.de – meine Lieferung ist seit zehn Tagen unterwegs.")

EXIT_REASONS: dict[str, dict[str, tuple[str, ...]]] = {
    "price": {"de": ("Zu teuer geworden.", "Preis zu hoch im Vergleich zum Supermarkt.",
                     "Kann mir das Abo gerade nicht leisten."),
              "en": ("Too expensive.", "Found cheaper coffee elsewhere.")},
    "delivery": {"de": ("Lieferungen kamen ständig zu spät.", "Zu viele Probleme mit dem Versand."),
                 "en": ("Deliveries were always late.", "Parcel lost twice.")},
    "service": {"de": ("Keine Antwort vom Kundenservice auf meine Beschwerde.",
                       "Service hat zu lange gebraucht."),
                "en": ("Customer service never answered.", "Waited days for a reply to my complaint.")},
    "quality": {"de": ("Geschmack hat sich verschlechtert.", "Kaffee war nicht mehr frisch."),
                "en": ("Quality dropped.", "Beans tasted stale.")},
    "moved": {"de": ("Umzug ins Ausland.", "Ziehe um, melde mich später wieder."),
              "en": ("Moving abroad.", "Relocating.")},
    "no_need": {"de": ("Trinke weniger Kaffee.", "Habe jetzt eine Kapselmaschine im Büro.",
                       "Brauche gerade keinen Kaffee."),
                "en": ("Drinking less coffee.", "No longer need it.")},
}

# Interview notes. segment, language, manual codes (or None), body with {name} placeholders.
# Loyal interviews: 6 of 7 praise the personal service (planted effect 6).
INTERVIEWS: tuple[dict[str, object], ...] = (
    {"segment": "loyal", "lang": "de", "interviewer": "Miriam Koch",
     "codes": ["service", "quality", "subscription"],
     "body": """Kundin seit dem Start, bestellt jeden Monat zwei Tüten Espresso im Abo.

Sie lobt vor allem den persönlichen Service: "Wenn etwas schiefgeht, ruft mich jemand an, der meinen Namen kennt."
Der Kundenservice sei freundlich und schnell, das kenne sie von großen Shops nicht.

Die Qualität sei konstant, der Kaffee immer frisch geröstet, der Geschmack "wie in Italien". Das Abo sei praktisch,
sie müsse an nichts denken. Beim Preis sagt sie, er sei "an der Grenze, aber fair".

Verbesserung: Die Lieferung im Sommer habe zweimal länger gedauert als sonst.
"""},
    {"segment": "loyal", "lang": "en", "interviewer": "Tom Becker", "codes": ["service", "quality"],
     "body": """Customer since early 2024, orders filter coffee roughly every three weeks.

What keeps him: the personal service. "They wrote a handwritten note with my first order and remembered my
grinder when I called." Customer service is friendly and answers quickly.

Quality is the other reason: fresh beans, great taste, the roast date on every bag.

He mentions the price only in passing ("not cheap, but worth it"). Delivery was fine until the summer, when
one parcel took eight days with the new carrier.
"""},
    {"segment": "loyal", "lang": "de", "interviewer": "Miriam Koch", "codes": None,
     "body": """Bestellt seit zwei Jahren, meist Filterkaffee und ab und zu ein Probierset.

Sehr zufrieden mit dem persönlichen Service: Als eine Tüte beschädigt ankam, gab es sofort Ersatz, ohne
Rückfragen. "Der Kundenservice ist freundlich und unkompliziert."

Geschmack und Qualität seien besser als alles aus dem Supermarkt. Das Sortiment könnte mehr
entkoffeinierte Sorten haben.

Die Website findet sie übersichtlich, den Bestellprozess aber etwas lang.
"""},
    {"segment": "loyal", "lang": "en", "interviewer": "Tom Becker", "codes": ["service", "range", "delivery"],
     "body": """Long-standing subscription customer, shares the Abo with a colleague at the office.

He values the personal service most: "I can email the roaster directly and get an answer the same day."
Friendly people, good advice on brewing.

He likes the range of origins and tries a new one each month. Quality is consistently high.

Negative: delivery in July and August was slow and tracking did not work; he was close to complaining.
"""},
    {"segment": "loyal", "lang": "de", "interviewer": "Jana Wolf", "codes": None,
     "body": """Kunde über eine Empfehlung gewonnen, bestellt alle vier Wochen.

Persönlicher Service ist für ihn der Grund zu bleiben: freundlich, hilfsbereit, man wird beim Namen genannt.

Qualität: frisch, aromatisch, guter Geschmack. Den Preis empfindet er als angemessen.

Wünscht sich eine stabilere Verpackung, eine Tüte sei einmal aufgerissen.
"""},
    {"segment": "loyal", "lang": "en", "interviewer": "Jana Wolf", "codes": None,
     "body": """Buys espresso for a small café, orders in larger quantities.

For her it is all about quality and taste: fresh roasts, consistent grind advice. The price is high but the
quality justifies it.

She rarely needs customer service. Website and checkout work well for her. Delivery has been slower this
summer, which matters for her café.
"""},
    {"segment": "loyal", "lang": "de", "interviewer": "Miriam Koch", "codes": None,
     "body": """Stammkundin, Abo seit 2024, verschenkt Probiersets an Freunde.

Sie schätzt den persönlichen Kontakt: "Der Kundenservice antwortet wie ein Mensch, nicht wie ein Roboter."
Sehr freundlich, immer hilfsbereit.

Der Kaffee sei frisch, der Geschmack hervorragend. Das Abo lasse sich leicht anpassen.

Bitte um Rückruf unter 0221 9876543 oder per Mail an anna.beispiel@example.com, falls es neue Sorten gibt.
"""},
    {"segment": "at_risk", "lang": "de", "interviewer": "Tom Becker", "codes": ["delivery", "price", "service"],
     "body": """Guter Kunde mit hohen Bestellwerten, bestellt aber seit dem Frühjahr deutlich seltener.

Hauptärger: die Lieferung. Seit dem Wechsel des Versanddienstleisters kämen Pakete verspätet, zweimal sei eine
Lieferung verloren gegangen. Seine Beschwerde sei erst nach drei Tagen beantwortet worden.

Der Preis sei hoch; wenn dann auch die Lieferung nicht stimmt, lohne es sich nicht mehr. Die Qualität
des Kaffees sei weiterhin gut.
"""},
    {"segment": "at_risk", "lang": "en", "interviewer": "Jana Wolf", "codes": ["delivery", "packaging"],
     "body": """High-value customer, ordered every two weeks until May, now about once a month.

Delivery problems since spring: late parcels, no tracking, one box arrived damaged (packaging crushed, beans
spilled). She gave three stars in the last survey.

She still likes the taste and quality but says "if delivery does not improve I will switch to a local roaster".
"""},
    {"segment": "at_risk", "lang": "de", "interviewer": "Miriam Koch", "codes": None,
     "body": """Bestellt große Mengen Espresso, zuletzt weniger.

Findet den Preis inzwischen zu teuer, vor allem mit Versandkosten. Die Lieferung sei unzuverlässig geworden.

Der Bestellprozess auf der Website sei umständlich, Checkout mit PayPal fehle.
Am Geschmack gebe es nichts auszusetzen.
"""},
    {"segment": "at_risk", "lang": "en", "interviewer": "Tom Becker", "codes": None,
     "body": """Subscription customer with high spend, skipped two deliveries this summer.

Says the price is getting expensive compared to supermarket premium brands. Delivery has been late several
times and customer service was slow to reply to his complaint.

Quality is still good; he would stay with a loyalty discount on the subscription.
"""},
    {"segment": "lost", "lang": "de", "interviewer": "Jana Wolf", "codes": ["delivery", "service", "price", "quality"],
     "body": """Ehemalige Abo-Kundin, hat gekündigt.

Grund: Die Lieferung kam dreimal hintereinander zu spät, und auf ihre Beschwerde habe der Kundenservice
tagelang nicht reagiert. "Für den Preis erwarte ich mehr."

Den Kaffee selbst fand sie gut, frisch und mit tollem Geschmack.
"""},
    {"segment": "lost", "lang": "en", "interviewer": "Miriam Koch", "codes": None,
     "body": """Former one-off buyer, has not ordered for more than a year.

Found the price too expensive for everyday coffee and switched to a supermarket brand. Delivery took long and
shipping costs were high.

He liked the range but the website checkout was confusing on his phone.
"""},
    {"segment": "lost", "lang": "de", "interviewer": "Tom Becker", "codes": None,
     "body": """Hat das Abo nach einem Jahr beendet.

Zu teuer geworden nach der Preiserhöhung. Die Verpackung sei einmal beschädigt gewesen, der Ersatz kam schnell,
der Service war freundlich.

Qualität und Geschmack seien gut gewesen, aber sie trinke jetzt weniger Kaffee.
"""},
)
