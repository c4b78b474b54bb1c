"""Hand-written multilingual cue words, used as extra classifier features.

The training set is small, so the n-gram features alone learn few words per
trade and language. These lexicons give the classifier one count feature
per category (trade vocabulary) and per priority cue (e.g. "not urgent",
"dripping", "no hot water") in en/es/fr/de/pt/it. Text is matched after
:func:`rules.normalize` (lower case, no accents).
"""

from __future__ import annotations

import re

_W = r"\b(?:{})\b"


def _rx(words: str) -> re.Pattern:
    alts = [w.strip() for w in words.split("|") if w.strip()]
    return re.compile(_W.format("|".join(alts)))


CATEGORY_CUES: dict[str, re.Pattern] = {
    "plumbing": _rx(
        "pipes?|piping|leak\\w*|drip\\w*|faucets?|taps?|toilets?|sinks?|drains?|drainage|clog\\w*|shower\\w*|tub|bathtub|"
        "water heater|hot water|cold water|no water|water pressure|sewage|sewer|flush\\w*|plunger|spigot|valve|overflow\\w*|"
        "plumb\\w*|backed up|water tank|trickle|"
        "tuberia\\w*|tubos?|canos?|caneria|fugas?|gotea\\w*|goteo|grifos?|canilla\\w*|inodoros?|taza del bano|lavabos?|lavamanos|"
        "fregadero|tarja|desague\\w*|drenaje|tapad[oa]|atascad[oa]|ducha|regadera|tina|banera|calentador de agua|termotanque|"
        "calefon|agua caliente|cloaca|aguas negras|cadena|destapador|llave de paso|presion de agua|"
        "tuyau\\w*|fuite\\w*|goutte\\w*|robinet\\w*|toilettes|wc|chasse d'eau|evier|bouche\\w*|douche|baignoire|chauffe-eau|"
        "ballon d'eau chaude|eau chaude|canalisation\\w*|egout\\w*|siphon|"
        "rohr\\w*|leck|tropft|wasserhahn|toilette|klo|spulung|toilettenspulung|waschbecken|spule|kuchenspule|abfluss|"
        "verstopft|dusche|badewanne|boiler|warmwasser|abwasser|"
        "vazamento|pingando|pinga|torneira\\w*|vaso|privada|descarga|pia|ralo|entupid[oa]|chuveiro|banheira|agua quente|esgoto|"
        "registro|"
        "perdita|gocciol\\w*|rubinett\\w*|sciacquone|lavandino|lavello|scarico|intasat[oa]|otturat[oa]|doccia|vasca|"
        "scaldabagno|acqua calda|fogna|tubo|tubi"
    ),
    "electrical": _rx(
        "outlets?|sockets?|plugs?|switch\\w*|breakers?|fuses?|fuse box|gfci|wiring|wires?|power|electric\\w*|spark\\w*|"
        "lights? flicker\\w*|flicker\\w*|light fixture|fixture|bulbs?|dimmer|doorbell|circuit|volt\\w*|"
        "enchufes?|tomacorrientes?|contactos?|interruptor\\w*|apagador\\w*|fusibles?|tablero|luz|sin luz|se fue la luz|"
        "electricidad|corriente|cables?|focos?|bombillas?|chispa\\w*|timbre|parpadea|diferencial|"
        "prises?|interrupteur\\w*|disjoncteur\\w*|tableau electrique|courant|electricite|ampoules?|fils?|sonnette|clignote|"
        "steckdose\\w*|schalter|lichtschalter|sicherung\\w*|fi-schalter|strom|kabel|gluhbirne|lampe|klingel|flackert|"
        "tomadas?|disjuntor\\w*|fusivel|quadro de luz|energia|eletricidade|fios?|lampadas?|campainha|piscando|"
        "presa|prese|interruttore|salvavita|fusibile|quadro elettrico|corrente|luce|elettricita|fili|lampadin\\w*|"
        "campanello|sfarfalla"
    ),
    "hvac": _rx(
        "heat|heating|heater|furnace|boiler|radiators?|thermostat|ac|a/c|air condition\\w*|aircon|cooling|vents?|"
        "ventilation|ducts?|heat pump|air filter|filter|exhaust fan|hvac|warm air|cold air|"
        "calefaccion|caldera|radiador\\w*|termostato|aire acondicionado|aire|minisplit|clima|ventilacion|extractor|rejilla|"
        "chauffage|chaudiere|radiateur\\w*|thermostat|climatisation|clim|vmc|ventilation|"
        "heizung|therme|heizkorper|thermostat|klimaanlage|luftung|lufter|"
        "aquecimento|caldeira|termostato|ar condicionado|ventilacao|exaustor|aquecedor|"
        "riscaldamento|caldaia|termosifon\\w*|radiator\\w*|condizionatore|aria condizionata|aspiratore|ventilazione"
    ),
    "appliance": _rx(
        "fridge|refrigerator|freezer|stove|stovetop|oven|range|cooktop|burners?|microwave|dishwasher|dish washer|washer|"
        "washing machine|dryer|garbage disposal|disposal|range hood|ice maker|appliance\\w*|hob|gas range|"
        "nevera|refrigerador|heladera|refri|congelador|estufa|horno|hornilla\\w*|hornalla\\w*|quemador\\w*|microondas|"
        "lavavajillas|lavaplatos|lavadora|secadora|triturador|campana\\w*|"
        "frigo|refrigerateur|congelateur|cuisiniere|gaziniere|four|plaques?|micro-ondes|lave-vaisselle|machine a laver|"
        "lave-linge|seche-linge|hotte|bruleur|"
        "kuhlschrank|gefrier\\w*|herd|gasherd|backofen|ofen|kochfeld|mikrowelle|spulmaschine|geschirrspuler|waschmaschine|"
        "trockner|dunstabzug\\w*|"
        "geladeira|frigorifico|fogao|forno|micro-ondas|lava-loucas|maquina de lavar|secadora|coifa|boca do fogao|"
        "frigorifero|congelatore|fornell\\w*|piano cottura|microonde|lavastoviglie|lavatrice|asciugatrice|cappa"
    ),
    "structural": _rx(
        "ceiling|walls?|floors?|flooring|roof|cracks?|cracked|holes?|plaster|drywall|tiles?|stairs|steps?|railing|handrail|"
        "balcony|foundation|beams?|sagging|baseboard|grout|shingles|joist\\w*|subfloor|"
        "techo|pared\\w*|muro|suelo|grieta\\w*|agujero\\w*|hueco|yeso|azulejo\\w*|baldosa\\w*|escalera|escalon\\w*|baranda\\w*|"
        "barandal|pasamanos|balcon|viga\\w*|zocalo|cielo raso|plafon|"
        "plafond|murs?|sol|plancher|fissure\\w*|trou|platre|carrelage|carreaux?|escalier|marche|rambarde|garde-corps|toit|"
        "parquet|placo|"
        "decke|wand|boden|dach|riss|loch|putz|fliesen?|treppe|stufe|gelander|balkon\\w*|parkett|rigips\\w*|"
        "teto|parede|piso|chao|telhado|rachadura|trinca|buraco|furinho|gesso|azulejos?|escada|degrau|corrimao|guarda-corpo|"
        "varanda|drywall|"
        "soffitto|parete|pavimento|tetto|crepa|crepe|buco|intonaco|piastrell\\w*|scala|gradino|ringhiera|corrimano|balcone|"
        "cartongesso"
    ),
    "doors_windows": _rx(
        "doors?|windows?|locks?|keys?|locked out|lockout|deadbolt|latch|screens?|blinds|sliding door|garage door|peephole|"
        "doorknob|door knob|knob|weatherstrip\\w*|window pane|glass|shutters?|"
        "puerta\\w*|ventana\\w*|cerradura|llaves|chapa|cerrojo|pestillo|mosquitero|persiana\\w*|me quede afuera|vidrio|"
        "porte\\w*|fenetre\\w*|serrure|cle|cles|verrou|moustiquaire|volet\\w*|store|poignee|vitre|porte-fenetre|"
        "tur|haustur|wohnungstur|fenster\\w*|schloss|schlussel|ausgesperrt|riegel|fliegengitter|rollladen|jalousie|"
        "fenstergriff|terrassentur|gartentur|"
        "porta|janela\\w*|fechadura|chave|chaves|trinco|tela|persiana|macaneta|vidro|"
        "finestr\\w*|serratura|chiave|chiavi|chiuso fuori|chiusa fuori|zanzariera|tapparella|maniglia|portafinestra"
    ),
    "pest": _rx(
        "mice|mouse|rats?|rodents?|roach\\w*|cockroach\\w*|bed ?bugs?|ants|termites?|wasps?|bees?|hornets?|spiders?|fleas|"
        "silverfish|fruit flies|flies|pigeons?|squirrels?|raccoons?|droppings|infest\\w*|exterminator|pest\\w*|bugs|"
        "moths|beetles|insects?|nest|"
        "raton\\w*|ratas?|cucaracha\\w*|chinches?|hormigas?|termitas?|avispas?|abejas?|aranas?|pulgas?|palomas?|plaga|"
        "fumigacion|polillas?|bichos|insectos?|nido|"
        "souris|cafards?|blattes?|punaises?|fourmis?|guepes?|abeilles?|araignees?|puces?|pigeons?|nuisibles?|"
        "desinsectisation|deratisation|mites|insectes?|"
        "maus|mause\\w*|ratten?|kakerlaken?|schaben?|bettwanzen?|ameisen?|termiten?|wespen?|bienen?|spinnen?|flohe|tauben?|"
        "schadling\\w*|ungeziefer|kammerjager|motten|mausekot\\w*|"
        "ratos?|camundongos?|baratas?|percevejos?|formigas?|cupins?|vespas?|abelhas?|aranhas?|pombos?|praga|dedetizacao|tracas|"
        "topi|topo|ratti|scarafaggi|blatte|cimici|formiche|termiti|vespe|api|ragni|pulci|piccioni|disinfestazione|tarme"
    ),
    "safety": _rx(
        "smoke detectors?|smoke alarms?|co detector|co alarm|carbon monoxide|fire extinguisher|extinguisher|fire escape|"
        "fire alarm|gas|smoke|fire|emergency exit|exit sign|trip hazard|hazard|fire door|"
        "detector de humo|alarma de humo|alarma de incendio|extintor|salida de emergencia|humo|incendio|fuego|monoxido|"
        "detecteur de fumee|extincteur|issue de secours|gaz|fumee|incendie|feu|monoxyde|"
        "rauchmelder|feuerloscher|notausgang|fluchtweg|rauch|brand|feuer|kohlenmonoxid|gasgeruch|"
        "detector de fumaca|extintor|saida de emergencia|fumaca|fogo|"
        "rilevatore di fumo|estintore|uscita di emergenza|fumo|fuoco|monossido"
    ),
    "exterior": _rx(
        "elevators?|lifts?|parking|parking lot|garage gate|snow|ice|icy|sidewalk|walkway|driveway|gutters?|lawn|grass|"
        "hedges?|trees?|landscaping|fence|gate|trash|dumpster|garbage area|recycling|mailbox\\w*|intercom|buzzer|"
        "hallway light|stairwell|lobby|graffiti|bike rack|entrance|common area|yard|shoveled|salted|trash chute|"
        "ascensor|elevador|estacionamiento|cochera|garaje|nieve|hielo|banqueta|acera|vereda|canaleta|pasto|cesped|jardin|"
        "arbol\\w*|cerca|reja|porton|basura|contenedor|buzon|portero electrico|interfon|pasillo|vestibulo|setos?|"
        "ascenseur|neige|verglas|trottoir|gouttiere|pelouse|haies?|arbres?|cloture|portail|poubelles?|local poubelle|"
        "boite aux lettres|interphone|palier|cage d'escalier|hall|"
        "aufzug|fahrstuhl|parkplatz|tiefgarage|schnee|eis|gehweg|dachrinne|rasen|hecken?|baum|zaun|tor|mull\\w*|"
        "briefkast\\w*|gegensprechanlage|treppenhaus|flur|"
        "estacionamento|garagem|neve|gelo|calcada|calha|grama|jardim|arvore|portao|lixo|lixeira|caixa de correio|"
        "interfone|corredor|predio|"
        "ascensore|parcheggio|ghiaccio|marciapiede|grondaia|prato|erba|siepi|albero|recinzione|cancello|spazzatura|"
        "cassonetto|cassetta postale|citofono|pianerottolo|androne|rifiuti|palazzo|giardino"
    ),
    "general": _rx(
        "paint\\w*|repaint|mold|mould|mildew|musty|stains?|carpet|clean\\w*|cabinet\\w*|drawers?|shelf|shelves|countertop|"
        "mirror|question|lease|cosmetic|smells? weird|damp|condensation|wardrobe|"
        "pintura|pintar|moho|hongos|humedad|manchas?|alfombra|limpieza|gabinete|mueble|cajon|repisa|encimera|mesada|espejo|"
        "pregunta|contrato|ropero|closet|"
        "peinture|repeindre|moisissure\\w*|humidite|taches?|moquette|nettoyage|placard|tiroir|etagere|plan de travail|"
        "miroir|question|bail|armoire|"
        "farbe|streichen|schimmel\\w*|feucht\\w*|flecken?|teppich|reinigung|schrank|schublade|regal|arbeitsplatte|"
        "spiegel|frage|mietvertrag|muffig|"
        "pintar|mofo|bolor|umidade|carpete|limpeza|armario|gaveta|prateleira|bancada|espelho|duvida|guarda-roupa|"
        "vernice|pittura|ridipingere|muffa|umidita|macchi\\w*|pulizia|armadio|cassetto|mensola|specchio|domanda|contratto"
    ),
}

PRIORITY_CUES: dict[str, re.Pattern] = {
    "low": _rx(
        "not urgent|no rush|whenever|when you (?:have|get) (?:a )?(?:time|chance|moment)|when convenient|"
        "at your convenience|cosmetic|just looks|would like|would love|could you|can i|can we|request\\w*|upgrade|"
        "if possible|minor|not a big deal|just letting you know|sometime|annual|routine|schedule\\w*|small chip|"
        "a bit loose|squeak\\w*|touch[- ]?up|replace\\w*|new one|newer|extra|spare|faded|"
        "no es urgente|cuando (?:puedan|tengan tiempo)|quisiera|me gustaria|solicito|estetico|rutina|anual|"
        "un poco (?:dura|floja|flojo|duro)|rechina|si es posible|"
        "pas urgent|quand vous (?:pourrez|aurez le temps)|je voudrais|pourriez-vous|pourrais-je|esthetique|annuel\\w*|"
        "grince|"
        "nicht dringend|wenn sie zeit haben|ich mochte|konnten sie|konnte ich|routinemassig\\w*|jahrlich\\w*|"
        "nur optisch|quietscht|"
        "nao e urgente|quando puderem|gostaria|poderiam|poderia|estetic[ao]|rotina|anual|rangendo|"
        "non e urgente|quando potete|vorrei|potreste|potrei|estetic[ao]|periodica|annuale|cigola"
    ),
    "medium": _rx(
        "drip\\w*|slow\\w*|a little|a bit|sometimes|occasionally|now and then|loose|noisy|noise|rattl\\w*|a few|couple|"
        "one outlet|doesn'?t work|not working|broken|stuck|sticks|won'?t close properly|"
        "gotea\\w*|lento|despacio|un poco|a veces|de vez en cuando|algunas?|unos pocos|no funciona|roto|rota|"
        "goutte|lentement|un peu|parfois|quelques|ne marche pas|ne fonctionne pas|"
        "tropft|langsam|etwas|manchmal|ein paar|funktioniert nicht|geht nicht|"
        "pingando|devagar|um pouco|as vezes|alguns|algumas|nao funciona|"
        "gocciola|lentamente|un po|a volte|qualche|non funziona"
    ),
    "high": _rx(
        "no hot water|no water|only (?:toilet|bathroom)|locked out|all (?:our|the|my) food|not cooling|no power|"
        "lost power|no electricity|everywhere|infestation|dozens|hundreds|steady|steadily|getting worse|worse|asap|"
        "baby|elderly|heat ?wave|can'?t (?:get in|cook|shower|use)|nobody can|out of (?:order|service)|days?|"
        "sin agua caliente|no hay agua|unico|me quede afuera|toda la comida|no enfria|sin luz|no hay luz|"
        "por todos lados|por todas partes|plaga|docenas|cada vez peor|fuera de servicio|bebe|"
        "pas d'eau chaude|plus d'eau|seules? toilettes|dehors|ne refroidit plus|plus de courant|partout|dizaines|"
        "hors service|en panne|"
        "kein warmwasser|kein wasser|einzige|ausgesperrt|kuhlt nicht|kein strom|uberall|dutzende|ausser betrieb|"
        "sem agua quente|sem agua|unico|trancad[oa] do lado de fora|nao gela|sem luz|por toda parte|dezenas|"
        "fora de servico|"
        "niente acqua calda|non esce acqua|unico|chius[oa] fuori|non raffredda|manca la luce|ovunque|decine|"
        "fuori servizio"
    ),
}

CUE_NAMES: tuple[str, ...] = tuple(f"cat:{c}" for c in CATEGORY_CUES) + tuple(f"pri:{p}" for p in PRIORITY_CUES)


def cue_counts(norm_text: str, cap: int = 3) -> list[float]:
    """Counts of cue-word matches (capped), one per category then per
    priority cue, in :data:`CUE_NAMES` order."""
    out = []
    for rx in list(CATEGORY_CUES.values()) + list(PRIORITY_CUES.values()):
        n = len(rx.findall(norm_text))
        out.append(float(min(n, cap)))
    return out
