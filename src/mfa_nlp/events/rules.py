"""The recognition rules: one table of per-language patterns over the folded text.

Every pattern runs on :func:`mfa_nlp.translit.fold` of the passage (lower case, Latin
script, no diacritics), the normal form the entity ruler matches on too, so one Serbian
row serves Latin and Cyrillic ("признала" and "priznala" both fold to ``priznala``) and
Albanian written without ë/ç needs nothing extra.

Tables, per language (``en``, ``sq``, ``sr``):

- ``PREDICATES``: (event kind, regular expression of the trigger);
- ``NEGATION``, ``MODALITY``: cues in the words just before a trigger that cancel it
  ("has not recognised", "is expected to recognise", "poziva ... da prizna");
- ``DENIAL``: cues that turn a reported withdrawal into a denied one ("false claims");
- ``SERBIAN``, ``SPEECH``: who says it (a Serbian source plus a verb of saying -> claimant SRB);
- ``HISTORY``: a recognition told as the past ("among the first to recognise");
- ``TODAY``/``YESTERDAY``: relative dates resolved against the document's date.
"""

from __future__ import annotations

import re

#: Event kinds, in the order of the ledger.
KINDS: tuple[str, ...] = (
    "recognised",
    "recognition_confirmed",
    "recognition_withdrawn",
    "withdrawal_denied",
    "diplomatic_relations",
    "embassy_opened",
    "membership_applied",
    "membership_joined",
    "membership_blocked",
    "membership_vote",
)
#: Kinds whose subject is an organisation (``org``); the others name a state.
MEMBERSHIP_KINDS: frozenset[str] = frozenset(k for k in KINDS if k.startswith("membership_"))

_W = r"(?:[\w'-]+\s+)"  # one word and its space, inside "{0,n}" gaps
_WC = r"(?:[\w'-]+,?\s+)"  # the same across an apposition's commas ("its recognition, of 2008, remains")
_YEAR_OF = r"(?:19|20)\d\d"

# --- predicates ---------------------------------------------------------------------------------
PREDICATES: dict[str, list[tuple[str, str]]] = {
    "en": [
        (
            "recognition_withdrawn",
            rf"\b(?:withdr[ae]wn?|withdraws|withdrawing|withdrawal|revok\w*|revocation|"
            rf"reversed?|rescind\w*|suspend\w*|cancel\w*|annul\w*)\s+{_W}{{0,4}}recognitions?\b",
        ),
        (
            "recognition_withdrawn",
            r"\brecognitions?\s+(?:of\s+kosovo\s+)?(?:was\s+|has\s+been\s+|had\s+been\s+|were\s+)?"
            r"(?:withdrawn|revoked|rescinded|suspended|annulled|cancell?ed)\b",
        ),
        ("recognition_withdrawn", r"\b(?:de-?recogni[sz]\w*|un-?recogni[sz](?:ed|es|ing)\b)"),
        # "had withdrawn it", "reversed its decision", "reconsidered its decision" after "recognition"
        (
            "recognition_withdrawn",
            r"\brecogni\w*\b[^.;]{0,120}?\b(?P<t>(?:withdr[ae]wn?|revoked|rescinded)\s+it)\b|"
            r"\b(?:revers\w*|reconsider\w*|revis\w*|annul\w*)\s+(?:its|their)\s+decision\b",
        ),
        (
            "recognition_confirmed",
            rf"\b(?:confirm\w*|reaffirm\w*|reiterat\w*|reconfirm\w*)\s+{_W}{{0,4}}"
            r"(?:recognitions?|recogni[sz]ed)\b",
        ),
        (
            "recognition_confirmed",
            r"\brecognition\s+(?:of\s+kosovo\s+)?(?:remains|stands|is\s+still|is\s+irreversible|"
            r"is\s+valid|remain)\b",
        ),
        ("recognition_confirmed", r"\b(?:still|continues?\s+to)\s+recogni[sz]e"),
        (
            "recognition_confirmed",
            rf"\brecognition\s+{_WC}{{0,10}}(?:remains?\s+(?:valid|unchanged|in\s+force)|"
            r"has\s+not\s+changed)",
        ),
        ("recognised", r"\brecogni[sz](?:ed|es|e|ing)\b"),
        ("recognised", r"\brecognitions?\s+(?:of\s+(?:the\s+)?(?:republic\s+of\s+)?kosovo\s+)?(?:by|from)\b"),
        ("recognised", r"\b(?:its|their)\s+recognition\s+of\b|(?:'s|s')\s+recognition\s+of\b"),
        # "its decision of January 2012" (the recognition a withdrawal claim or a confirmation refers to)
        ("recognised", rf"\b(?:its|their)\s+decision\s+(?:of|from)\s+(?:\w+\s+){{0,2}}{_YEAR_OF}\b"),
        ("follow", r"\bfollowed\s+suit\b|\bfollowed\b(?=\s+(?:by|in|on|soon|shortly|suit|later|weeks?|days?|months?))"),
        (
            "diplomatic_relations",
            r"\b(?:establish\w*|set\s+up|opened|open|opening|launch\w*)\s+(?:of\s+)?"
            rf"{_W}{{0,2}}diplomatic\s+(?:relations|ties)\b",
        ),
        (
            "diplomatic_relations",
            rf"\bdiplomatic\s+(?:relations|ties)\s+{_W}{{0,4}}(?:were|have\s+been|had\s+been|was)\s+"
            r"(?:formally\s+|officially\s+)?established\b",
        ),
        ("embassy_opened", rf"\b(?:open\w*|inaugurat\w*)\s+(?:of\s+)?{_W}{{0,4}}embass(?:y|ies)\b"),
        (
            "embassy_opened",
            rf"\bembass(?:y|ies)\s+{_W}{{0,9}}(?:(?:was|were|has\s+been|had\s+been|is\s+now)\s+)?"
            r"(?:officially\s+|formally\s+)?(?:opened|inaugurated)\b",
        ),
        ("membership_applied", rf"\b(?:appl(?:y|ied|ies|ying))\s+{_W}{{0,5}}(?:membership|to\s+join|admission)\b"),
        (
            "membership_applied",
            rf"\b(?:submitted|lodged|handed\s+over|filed|deposited)\s+{_W}{{0,3}}application\b|"
            r"\bapplication\s+(?:\w+\s+){0,6}was\s+submitted\b",
        ),
        (
            "membership_joined",
            rf"\b(?:bec(?:a|o)me|becomes|has\s+become|joined|joins|admitted|accepted)\s+"
            rf"{_W}{{0,4}}(?:member|as|to|into|of\s+kosovo\s+(?:to|into))\b",
        ),
        ("membership_joined", r"\b(?:joined|has\s+joined|joining)\b"),
        ("membership_joined", r"\b(?:granted|gave|extended)\s+(?:\w+\s+){0,2}recognition\s+to\b"),
        (
            "membership_joined",
            r"\bis\s+(?:a\s+)?(?:full\s+)?member\s+of\b(?=.{0,80}\bsince\b)|\bvoted\s+(?:\S+\s+){0,4}to\s+admit",
        ),
        (
            "membership_joined",
            r"\bmembership\s+(?:of\s+kosovo\s+)?(?:was|has\s+been)\s+(?:approved|accepted|confirmed)\b",
        ),
        (
            "membership_blocked",
            r"\b(?:block\w*|veto\w*|reject\w*|prevent\w*|thwart\w*|obstruct\w*|"
            r"fail(?:ed|s)?\s+to\s+(?:win|secure|obtain|get|gain|reach)|fell\s+short|"
            r"did\s+not\s+(?:win|secure|obtain|get|gain|receive)|fell\s+(?:\S+\s+){0,3}short|"
            r"vote\s+was\s+lost|lost\s+the\s+vote|failure\s+to\s+join|withdr[ae]w\w*\s+(?:its\s+)?application|"
            r"not\s+(?:put|place|include)\w*\s+(?:\S+\s+){0,6}(?:agenda|to\s+a\s+vote))\b",
        ),
        (
            "membership_vote",
            r"\b(?:vot(?:e|ed|es|ing)|ballot|due\s+to\s+decide|decide\s+on|will\s+decide|to\s+be\s+decided)\b",
        ),
    ],
    "sq": [
        (
            "recognition_withdrawn",
            rf"\b(?:terhe?q\w*|terhoq\w*|terhiq\w*|anulo\w*|anulu\w*|anulim\w*|revoko\w*|pezullo\w*)\s+"
            rf"{_W}{{0,4}}njohj\w*",
        ),
        ("recognition_withdrawn", rf"\bnjohj\w*\s+{_W}{{0,4}}(?:u\s+terhoq|eshte\s+terhequr|terhiqet|u\s+anulua)\b"),
        ("recognition_withdrawn", r"\bc'?njoh\w*"),
        (
            "recognition_withdrawn",
            r"\bnjohj\w*\b[^.;]{0,120}?\b(?P<t>(?:e\s+)?(?:kishte|ka|kane|kishin)\s+(?:terhequr|anuluar)\s+ate)\b|"
            r"\b(?:rishqyrto\w*|ndryshu\w*|anulu\w*)\s+vendimin\s+(?:e\s+saj|e\s+tij|e\s+tyre)\b",
        ),
        (
            "recognition_confirmed",
            rf"\b(?:konfirm\w*|ripohu\w*|ripohoi|riafirm\w*|rikonfirm\w*)\s+{_W}{{0,4}}"
            r"(?:njohj\w*|njohur)",
        ),
        ("recognition_confirmed", rf"\bnjohj\w*\s+{_WC}{{0,10}}(?:mbetet|qendron|eshte\s+e\s+pakthyeshme)\b"),
        ("recognition_confirmed", r"\bky\s+qendrim\s+nuk\s+ka\s+ndryshuar\b"),
        ("recognition_confirmed", r"\bvazhdon\s+(?:ta|te)\s+njohe\b"),
        ("recognised", r"\b(?:njohu|njohur|njohen|njohin|njeh|njehte|njohe|njohte|njohi)\b"),
        ("recognised", r"\bnjohj\w*\s+(?:e\s+(?:republikes\s+se\s+)?kosoves\s+)?(?:nga|prej)\b"),
        ("recognised", r"\bvendim\w*\s+(?:e\s+|i\s+|te\s+)?(?:\w+\s+){0,4}per\s+(?:ta\s+|te\s+)?njohur\b"),
        ("recognised", rf"\bvendim\w*\s+(?:e\s+saj\s+|e\s+tij\s+|e\s+tyre\s+)?(?:te\s+|e\s+)vitit\s+{_YEAR_OF}\b"),
        ("follow", r"\bi\s+pasuan\b|\bpasuan\s+shembullin\b|\bndoqen\s+shembullin\b"),
        (
            "diplomatic_relations",
            rf"\b(?:vendos\w*|vendosj\w*|themelo\w*|themelim\w*|hap\w*)\s+{_W}{{0,3}}"
            r"marredhenie\w*\s+diplomatike\b",
        ),
        (
            "diplomatic_relations",
            rf"\bmarredhenie\w*\s+diplomatike\s+{_W}{{0,3}}(?:u\s+vendosen|jane\s+vendosur|"
            r"u\s+themeluan|u\s+vendosën)\b",
        ),
        ("embassy_opened", rf"\b(?:hap\w*|hapj\w*|inauguro\w*|inaugurim\w*|celi\w*)\s+{_W}{{0,4}}ambasad\w*"),
        ("embassy_opened", rf"\bambasad\w*\s+{_W}{{0,6}}(?:u\s+hap|eshte\s+hapur|u\s+hapen|u\s+inaugurua|hapet)\b"),
        ("membership_applied", rf"\b(?:aplik\w*|kerkes\w*|kandidatur\w*)\s+{_W}{{0,5}}(?:anetaresim\w*|anetar\w*)"),
        ("membership_applied", rf"\bdorezo\w*\s+{_W}{{0,4}}(?:aplikim\w*|kerkes\w*)"),
        (
            "membership_joined",
            r"\b(?:u\s+anetaresua|u\s+anetaresuam|eshte\s+anetaresuar|jemi\s+anetaresuar|"
            r"u\s+be\s+anetar\w*|u\s+bene\s+anetar\w*|behet\s+anetar\w*|u\s+pranua|u\s+pranuam|"
            r"eshte\s+pranuar|ishte\s+pranuar|ishin\s+pranuar|ishte\s+anetaresuar|kishte\s+anetaresuar|"
            r"iu\s+bashkua|iu\s+bashkuam|anetare?\s+(?:e\s+|i\s+)?(?:re|plote))\b",
        ),
        ("membership_joined", rf"\bpranim\w*\s+{_W}{{0,4}}(?:ne|si\s+anetar\w*)\b"),
        ("membership_joined", rf"\banetaresim\w*\s+{_W}{{0,5}}(?:u\s+miratua|u\s+pranua|u\s+konfirmua)\b"),
        (
            "membership_blocked",
            r"\b(?:blloko\w*|bllokim\w*|pengo\w*|pengu\w*|refuzo\w*|refuzu\w*|kundershto\w*|"
            r"deshto\w*|nuk\s+(?:arriti|mori|siguroi|fitoi|kaloi)|veto\w*|penges\w*|"
            r"nuk\s+(?:\S+\s+){0,3}rend\s+dite|nuk\s+u\s+pranua)",
        ),
        (
            "membership_vote",
            r"\b(?:votim\w*|votu\w*|votoi|votojne|voton|votoje|votat|votave|votimi)\b|"
            r"\bvendim\w*\s+(?:\S+\s+){0,16}(?:eshte\s+)?planifikuar\b|\bdo\s+te\s+vendos\w*\s+(?:per|mbi)\b",
        ),
    ],
    "sr": [
        (
            "recognition_withdrawn",
            rf"\b(?:povuc\w*|povukl\w*|povlac\w*|povuk\w*|ponist\w*|opoz\w*|suspend\w*|"
            rf"zamrz\w*)\s+{_W}{{0,4}}priznanj\w*",
        ),
        (
            "recognition_withdrawn",
            rf"\bpriznanj\w*\s+{_W}{{0,4}}(?:povukl\w*|povuc\w*|povlac\w*|povucen\w*|"
            r"ponist\w*)",
        ),
        ("recognition_withdrawn", r"\b(?:otprizna\w*|otpriznanj\w*|povlacenj\w*\s+priznanj\w*)"),
        # "preispitala svoju odluku" (reconsidered its decision), Belgrade's phrase for a withdrawal
        ("recognition_withdrawn", r"\b(?:preispita\w*|promeni\w*|promijeni\w*|ponisti\w*)\s+(?:svoj\w*\s+)?odluk\w*"),
        (
            "recognition_confirmed",
            rf"\b(?:potvrd\w*|reafirm\w*|ponovi\w*|ponovno\s+potvrd\w*)\s+{_W}{{0,4}}"
            r"(?:priznanj\w*|priznal\w*)",
        ),
        (
            "recognition_confirmed",
            rf"\bpriznanj\w*\s+{_WC}{{0,5}}(?:ostaje|je\s+na\s+snazi|(?:i\s+dalje\s+)?vazi|je\s+nepovratn\w*)",
        ),
        ("recognition_confirmed", r"\b(?:i\s+dalje|nastavlja\s+da)\s+priznaj\w*"),
        ("recognised", r"\b(?:priznao|priznal\w*|priznaj\w*|prizna|priznati|priznace\w*|priznat\w*|priznav\w*)\b"),
        ("recognised", r"\bpriznanj\w*\s+(?:republike\s+)?(?:kosova\s+|kosovo\s+)?(?:od\s+strane|od)\b"),
        (
            "recognised",
            rf"\b(?:svoj\w*\s+|njen\w*\s+|njihov\w*\s+)?odluk\w*\s+(?:o\s+priznanj\w*\s+)?iz\s+{_YEAR_OF}\b",
        ),
        ("follow", r"\b(?:sledil\w*|slijedil\w*|usledil\w*|uslijedil\w*)\b"),
        ("diplomatic_relations", rf"\b(?:uspostav\w*|otvar\w*|otvor\w*)\s+{_W}{{0,3}}diplomatsk\w*\s+odnos\w*"),
        ("diplomatic_relations", rf"\bdiplomatsk\w*\s+odnos\w*\s+{_W}{{0,3}}(?:su\s+)?(?:uspostavljen\w*)"),
        ("embassy_opened", rf"\b(?:otvor\w*|otvar\w*|inauguris\w*|svecano\s+otvor\w*)\s+{_W}{{0,4}}ambasad\w*"),
        ("embassy_opened", rf"\bambasad\w*\s+{_W}{{0,6}}(?:je\s+|su\s+)?(?:svecano\s+)?otvoren\w*"),
        (
            "membership_applied",
            rf"\b(?:podn\w*|predal\w*|predat\w*|zahtev\w*|zahtjev\w*|aplicir\w*|aplikac\w*|"
            rf"prijav\w*|kandidatur\w*)\s+{_W}{{0,5}}(?:clanstv\w*|prijem\w*|uclanjenj\w*)",
        ),
        (
            "membership_joined",
            rf"\b(?:postal\w*|postaje|postao|postala|postalo|postati)\s+{_W}{{0,2}}"
            r"(?:clanic\w*|clan|clanom|clanovi)\b",
        ),
        (
            "membership_joined",
            rf"\b(?:primljen\w*|prijem\w*|uclanil\w*|uclanjen\w*|uclanjenj\w*|pristupil\w*|"
            rf"pridruzil\w*)\s+{_W}{{0,4}}(?:u|kao)\b",
        ),
        (
            "membership_joined",
            r"\b(?:je|su)\s+(?:od\s+\S+\s+(?:godine\s+)?)?(?:punopravn\w+\s+)?clan\w*\b(?=.{0,60}\bod\b)|"
            r"\b(?:je|su)\s+od\s+\S+\s+(?:godine\s+)?(?:punopravn\w+\s+)?clan\w*\b|\bpristup(?:il|io)\w*\b|"
            r"\bprimi[lo]\w*\s+(?:\S+\s+){0,6}(?:u\s+)?(?:punopravno\s+)?clanstvo",
        ),
        ("membership_joined", rf"\bclanstv\w*\s+{_W}{{0,4}}(?:je\s+)?(?:odobren\w*|prihvacen\w*|potvrdjen\w*)"),
        (
            "membership_blocked",
            r"\b(?:blokir\w*|blokad\w*|sprec\w*|sprijec\w*|odbij\w*|odbacen\w*|odbacil\w*|"
            r"osujet\w*|zaustav\w*|nije\s+(?:dobil\w*|obezbedil\w*|osvojil\w*)|"
            r"nisu\s+(?:dobil\w*|obezbedil\w*)|neuspe\w*|nije\s+uspel\w*|veto\w*|"
            r"nije\s+primljen\w*|(?:ne|nije)\s+(?:\S+\s+){0,3}(?:na\s+)?dnevn\w*\s+red\w*)",
        ),
        (
            "membership_vote",
            r"\b(?:glasanj\w*|glasal\w*|glasace\w*|glasaju|glasa\b|glasovanj\w*|izglasa\w*|"
            r"odlucivac\w*|odlucice\w*)",
        ),
    ],
}

# --- cues in the words before a trigger ---------------------------------------------------------
NEGATION: dict[str, str] = {
    "en": r"\b(?:not|n't|never|no\s+longer|neither|nor|yet\s+to|refus\w*|declin\w*\s+to|without|non)\b|n't\b",
    "sq": r"\b(?:nuk|s'|as|asnjehere|kurre|kurrsesi|mos|refuzo\w*|pa\s+e)\b|\bs'",
    "sr": r"\b(?:ne|nije|nisu|nismo|niste|nisam|nece|nikada|nikad|odbij\w*|bez)\b",
}
MODALITY: dict[str, str] = {
    "en": r"\b(?:expect\w*|will|would|shall|could|may|might|should|must|plan\w*|intend\w*|hope\w*|"
    r"call\w*\s+(?:on|upon)|urg\w*|invit\w*|encourag\w*|ask\w*|appeal\w*|lobb\w*|seek\w*|aim\w*|"
    r"want\w*|wish\w*|soon|consider\w*|ready|likely|going\s+to|possib\w*|promis\w*|pledg\w*|"
    r"prepar\w*|hopeful|if|unless|whether|efforts?\s+to|push\w*|persuad\w*|convinc\w*)\b",
    "sq": r"\b(?:pritet|pritej|do\s+te|do\s+ta|do\s+t'|duhet|duhej|mund|synon\w*|planifik\w*|shpres\w*|"
    r"thirrje|fto\w*|inkurajo\w*|kerkoi|kerkon|kerkojme|nxit\w*|lobo\w*|perpiq\w*|perpjekj\w*|"
    r"se\s+shpejti|gati|premto\w*|zotu\w*|nese|ne\s+qofte\s+se|beso\w*\s+se|bind\w*)\b|\bdo\s+t'",
    "sr": r"\b(?:ocekuj\w*|ocekiva\w*|ocekivan\w*|ce|cemo|cu|ces|cete|bi|bismo|bice|trebal\w*|treba|"
    r"moze|mogl\w*|mogu|planir\w*|namerav\w*|namjerav\w*|nadamo|nada\s+se|nadaju|poziv\w*|pozva\w*|"
    r"apel\w*|zatraz\w*|trazi\w*|podsti\w*|uskoro|spreman|spremn\w*|obecal\w*|obeca\w*|ukoliko|ako|"
    r"napor\w*|nastojanj\w*|lobir\w*|ubed\w*|ubjed\w*|najavljuj\w*)\b",
}
#: Serbian synthetic future on the trigger itself ("priznaće", "otvoriće"): a modal, not an event.
FUTURE_SUFFIX = {"sr": re.compile(r"(?:ce|cemo|cu|ces|cete)$")}

DENIAL: dict[str, str] = {
    "en": r"\b(?:den(?:y|ies|ied|ial)|false\w*|fake|untrue|not\s+true|baseless|unfounded|groundless|"
    r"disinformation|misinformation|refut\w*|dismiss\w*|rejects?|rejected|lies?|"
    r"propaganda|fabricat\w*|no\s+basis|invented)\b",
    "sq": r"\b(?:moho\w*|mohu\w*|demant\w*|rreme|pavertet\w*|nuk\s+(?:eshte|jane|qendron|qendrojne)\s+"
    r"(?:e\s+|te\s+)?(?:vertet\w*|sakte)|dezinformat\w*|propagand\w*|genjeshtr\w*|hedh\w*\s+poshte|"
    r"hodh\w*\s+poshte|pa\s+baze|pabaza|trillim\w*|trilluar|kundershto\w*|genje\w*)\b",
    "sr": r"\b(?:demant\w*|negir\w*|lazn\w*(?!\s+drzav)|laz|lazi|lazima|neistin\w*|nije\s+tacn\w*|nisu\s+tacn\w*|"
    r"netacn\w*|dezinformac\w*|propagand\w*|odbacuj\w*|odbaci\w*|izmisljen\w*|neosnovan\w*)\b",
}
#: Cues that a claim is answered without being called false ("contrary to claims made in Belgrade",
#: "pavarësisht pretendimeve", «упркос тврдњама»): the claim is an event, a denial is not.
CONTRAST: dict[str, str] = {
    "en": r"\b(?:contrary\s+to|despite|in\s+spite\s+of)\b",
    "sq": r"\b(?:pavaresisht|ne\s+kundershtim\s+me|ndryshe\s+nga)\b",
    "sr": r"\b(?:suprotno|uprkos|unatoc|nasuprot)\b",
}
SERBIAN: dict[str, str] = {
    "en": r"\b(?:serbia\w*|serb|serbs|belgrade\w*|dacic\w*|vucic\w*|brnabic\w*|selakovic\w*|djuric\w*|"
    r"vulin\w*)\b",
    "sq": r"\b(?:serbi\w*|serb\w*|beograd\w*|dacic\w*|vucic\w*|brnabic\w*|selakovic\w*|djuric\w*|vulin\w*)\b",
    "sr": r"\b(?:srbij\w*|srpsk\w*|beograd\w*|dacic\w*|vucic\w*|brnabic\w*|selakovic\w*|djuric\w*|vulin\w*)\b",
}
SPEECH: dict[str, str] = {
    "en": r"\b(?:claim\w*|said|says|say|stated|states|announc\w*|alleg\w*|assert\w*|according|boast\w*|"
    r"report\w*|told|insist\w*|declar\w*|spread\w*|statements?)\b",
    "sq": r"\b(?:pretend\w*|deklar\w*|tha|thote|thone|thene|njofto\w*|sipas|mburr\w*|paralajmer\w*|"
    r"pohim\w*|pohoi|pohon|lajm\w*|thenie\w*|akuz\w*)\b",
    "sr": r"\b(?:tvrd\w*|rekao|rekla|rekli|kaze|kazao|kazala|izjav\w*|saopst\w*|najav\w*|prema|navod\w*|"
    r"hval\w*|objavi\w*|tvrdnj\w*)\b",
}
HISTORY: dict[str, str] = {
    "en": r"\b(?:among\s+the\s+first|one\s+of\s+the\s+first|first\s+(?:states|countries)|since\s+(?:19|20)\d\d|"
    r"back\s+in|as\s+early\s+as|recogni[sz]ed\s+kosovo\s+(?:in|on)\s+(?:\d|[a-z]+\s+\d)|in\s+(?:19|20)\d\d)\b",
    "sq": r"\b(?:nder\s+(?:te\s+)?(?:shtetet\s+|vendet\s+)?e\s+para|nje\s+nga\s+(?:shtetet\s+|vendet\s+)?e\s+para|"
    r"qe\s+nga\s+viti|qysh\s+ne|ne\s+vitin\s+(?:19|20)\d\d)\b",
    "sr": r"\b(?:medju\s+prvima|medju\s+prvim\w*|jedn\w*\s+od\s+prvih|prv\w*\s+(?:drzav\w*|zemlj\w*)|"
    r"jos\s+(?:od\s+)?(?:19|20)\d\d|(?:19|20)\d\d\.\s+godin\w*|godine\s+(?:19|20)\d\d)\b",
}
#: Uses of a predicate that are not an event ("internationally recognised borders", "recognise the role").
EXCLUDE: dict[str, str] = {
    "en": r"\banniversary\s+of\s+(?:\S+\s+){0,3}\S+|"
          r"\binternationally[\s-]+recogni[sz]ed|\brecogni[sz]ed\s+(?:international\s+)?(?:borders|frontiers|"
    r"boundaries)|\brecogni[sz](?:e|es|ed|ing)\s+(?:the\s+|its\s+|their\s+|our\s+)?(?:importance|role|efforts|"
    r"contribution|need|progress|work|right|value|achievements?)\b",
    "sq": r"\bvjetor\w*\s+(?:\S+\s+){0,3}\S+|"
          r"\bnderkombetarisht\s+te\s+njohur|\bnjohur\s+nderkombetarisht|\bkufi\w*\s+(?:e|te)\s+njohur|"
    r"\bnjeh\s+(?:rendesine|rolin|perpjekjet|kontributin)",
    "sr": r"\bgodisnjic\w*\s+(?:\S+\s+){0,3}\S+|\bmedjunarodno\s+priznat\w*|\bpriznat\w*\s+granic\w*|"
          r"\bpriznaj?\w*\s+(?:znacaj|ulogu|napore|doprinos)",
}
TODAY: dict[str, str] = {
    "en": r"\b(?:today|this\s+morning|this\s+afternoon|this\s+evening|tonight)\b",
    "sq": r"\b(?:sot|sonte|kete\s+mengjes|sot\s+paradite)\b",
    "sr": r"\b(?:danas|veceras|jutros)\b",
}
YESTERDAY: dict[str, str] = {
    "en": r"\byesterday\b",
    "sq": r"\bdje\b",
    "sr": r"\bjuce\b",
}
#: Words that may stand between the members of a list of states or organisations.
LIST_GAP = re.compile(
    r"^(?:[\s,;/&()]|\b(?:together|along)\s+with\b|\bbashke\s+me\b|\bzajedno\s+sa\b|\bin\s+[a-z]+\s+\d{4}\b|\band\b|\bas\s+well\s+as\b|\bdhe\b|\bdhe\s+e\b|\bsi\s+dhe\b|\bedhe\b|\bi\b|\bte\b|\bkao\s+i\b|\bthe\b|"
    r"\bor\b|\bose\b|\bili\b|\bne\b|\bu\b|\bin\b|\bto\b|\bpo\s+ashtu\b|\btakodje\b)*$"
)
#: Ends a clause: negation and modality cues do not reach across these.
CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:but|while|whereas|and\s+the|por|ndersa|kurse|ali|dok|a)\b|\b(?:but|por|ali)\b")

#: Organisation ids that are not something a state applies to or joins (missions, our own ministry).
NON_MEMBERSHIP_ORGS: frozenset[str] = frozenset({"MFA", "KFOR", "EULEX", "UNMIK", "EC", "EP", "ICJ", "UNGA", "UNSC"})
#: States that are never the actor of a recognition event in a Kosovo text: Kosovo itself, and Serbia,
#: which is the claimant of withdrawals rather than their subject.
NON_ACTOR_STATES: frozenset[str] = frozenset({"XKX", "SRB"})

#: Kosovo's embassies are named by their city: capital (folded stem) -> the host state.
CAPITALS: dict[str, str] = {
    "jerusal": "ISR", "tel aviv": "ISR", "riad": "SAU", "riyad": "SAU", "rijad": "SAU", "tokio": "JPN", "tokyo": "JPN",
    "tokij": "JPN", "kanber": "AUS", "canberr": "AUS", "tiran": "ALB", "abu dhabi": "ARE", "abu dabi": "ARE",
    "muscat": "OMN", "maskat": "OMN", "muskat": "OMN", "ottaw": "CAN", "otav": "CAN", "washington": "USA",
    "uashington": "USA", "vasington": "USA", "berlin": "DEU", "paris": "FRA", "pariz": "FRA", "london": "GBR",
    "londr": "GBR", "ankar": "TUR", "bern": "CHE", "bruksel": "BEL", "brussel": "BEL", "brisel": "BEL",
    "budapest": "HUN", "budimpest": "HUN", "varshav": "POL", "warsaw": "POL", "varsav": "POL",
    "praha": "CZE", "prague": "CZE", "sofij": "BGR", "sofia": "BGR", "zagreb": "HRV", "podgoric": "MNE",
    "shkup": "MKD", "skopj": "MKD", "skoplj": "MKD",
    "ljubljan": "SVN", "lubjan": "SVN", "stockholm": "SWE", "stokholm": "SWE", "oslo": "NOR", "kopenhag": "DNK",
    "copenhag": "DNK", "helsink": "FIN", "dublin": "IRL", "lisbon": "PRT", "lisabon": "PRT", "doha": "QAT",
    "amman": "JOR", "kajr": "EGY", "cairo": "EGY", "seul": "KOR", "seoul": "KOR", "wellington": "NZL",
    "dhaka": "BGD", "daka": "BGD", "bangi": "CAF", "bangui": "CAF", "lome": "TGO", "akra": "GHA", "accra": "GHA",
    "nairobi": "KEN", "dakar": "SEN", "kuala lumpur": "MYS", "bratislav": "SVK", "tallin": "EST", "vilni": "LTU",
    "riga": "LVA", "panam": "PAN", "roma": "ITA", "rome": "ITA", "vien": "AUT", "vjen": "AUT",
    "haag": "NLD", "hague": "NLD", "madrid": "ESP", "athin": "GRC", "athens": "GRC",
    "kuvajt": "KWT", "kuwait": "KWT", "manam": "BHR", "manama": "BHR",
}  # fmt: skip
CAPITAL_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, CAPITALS), key=len, reverse=True)) + r")\w*")

#: Words that make a sentence about membership (a "blocked" or "vote" trigger needs one).
MEMBERSHIP_CUE = re.compile(
    r"\b(?:member\w*|admission|admit\w*|application|bid|join\w*|anetar\w*|aplikim\w*|kerkes\w*|pranim\w*|"
    r"clan\w*|prijem\w*|zahtev\w*|zahtjev\w*|uclanj\w*)\b"
)
#: Modality cues that still cancel a vote on membership (a vote "will" take place is an event).
CONDITIONAL: dict[str, str] = {
    "en": r"\b(?:expect\w*|if|unless|whether|hope\w*|could|may|might)\b",
    "sq": r"\b(?:pritet|nese|shpres\w*|mund)\b",
    "sr": r"\b(?:ocekuj\w*|ako|ukoliko|nadamo|mogl\w*|moze)\b",
}

#: A trigger that is a bare noun ("the application", "zahtev", "prijem", "kërkesa"): it names an
#: application or an admission as the object of another event in its sentence ("the vote on the
#: application", «гласаће о пријему»), so it yields an event only when no other membership event on
#: the same organisation comes from that sentence.
WEAK_TRIGGER: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"^admission"),
    "sq": re.compile(r"^(?:kerkes|aplikim|kandidatur|pranim)"),
    "sr": re.compile(r"^(?:zahtev|zahtjev|aplikacij|prijav[aeiu]\b|kandidatur|prijem)"),
}
#: Cues right after a vote that make it hypothetical or uncertain ("a failed vote would only help",
#: "a vote ... is expected ... if the Board agrees", «глас ... би»).
VOTE_AFTER: dict[str, str] = {
    "en": r"\b(?:would|could|might|is\s+expected|are\s+expected|if|unless)\b",
    "sq": r"\b(?:do\s+t'|do\s+t|do\s+te|mund|pritet|nese)\b|\bdo\s+t'",
    "sr": r"\b(?:bi|bismo|moglo|mogao|ocekuje\s+se|ako|ukoliko)\b",
}
#: Words in the sentence that refer back to a state or an organisation named before it ("its decision",
#: "this state", "the organisation", «ова држава», "togoanska vlada"): a trigger with no entity of its
#: own then takes the nearest one named earlier in the passage.
ANAPHOR: dict[str, str] = {
    "en": r"\b(?:its|their|this|these|both|the\s+(?:same\s+)?(?:country|state|states|government|"
    r"organi[sz]ation|recognition|decision|kingdom|republic|island|islands)|the\s+\w+(?:an|ese|ish|i)\s+"
    r"(?:government|statement|side|authorities|ministry|note))\b",
    "sq": r"\b(?:ky|kjo|keto|ky\s+shtet|kete\s+(?:shtet|vendim|njohje)|saj|tij|tyre|organizat\w*|qeveri\w*|"
    r"te\s+dy\s+shtetet)\b",
    "sr": r"\b(?:(?:ova|ovu|ove|ovo|ta|tu|te|ista|istu|obe|oba|obje)\s+(?:\w+\s+)?(?:drzav\w*|zemlj\w*|"
    r"vlad\w*|organizacij\w*|odluk\w*|priznanj\w*)|svoj\w*|njen\w*|njihov\w*|organizacij\w*|tamosnj\w*|"
    r"\w+sk\w*\s+vlad\w*)\b",
}
#: "together with Japan" after the object: more actors of the same event.
TOGETHER = re.compile(
    r"\b(?:together\s+with|along\s+with|as\s+did|bashke\s+me|se\s+bashku\s+me|zajedno\s+(?:sa|s)|kao\s+i)\s+$"
)
#: A recognition presupposed by its withdrawal, denial or confirmation, with its year ("its recognition
#: of 2008", "njohjen e vitit 2012", «признање из 2009»): the trigger is followed by this.
PRESUPPOSED: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        rf"[^.;]{{0,40}}?\b(?:of|from|extended\s+in|granted\s+in|given\s+in|in)\s+(?:\w+\s+){{0,2}}({_YEAR_OF})\b"
    ),
    "sq": re.compile(rf"[^.;]{{0,40}}?\b(?:e|te)\s+vitit\s+({_YEAR_OF})\b"),
    "sr": re.compile(rf"[^.;]{{0,40}}?\biz\s+({_YEAR_OF})\b"),
}
#: A confirmation told as "still recognises": said against a claim (a denial cue in the sentence), it
#: is the denial of that claim, not a confirmation by the state itself.
CONTINUATION = re.compile(r"\b(?:still|continues?|i\s+dalje|nastavlja\w*|vazhdon\w*)\b")
#: Bodies of an organisation whose membership votes are the organisation's own.
PARENT_ORG: dict[str, str] = {"PACE": "COE"}

#: Confidence of an event by how it was found (a tidy rule of thumb, not a calibrated probability).
CONFIDENCE = {"base": 0.9, "history": 0.7, "far": 0.75, "claim": 0.8}

COMPILED: dict[str, dict[str, re.Pattern[str] | list[tuple[str, re.Pattern[str]]]]] = {
    lang: {
        "predicates": [(kind, re.compile(rx)) for kind, rx in PREDICATES[lang]],
        "negation": re.compile(NEGATION[lang]),
        "modality": re.compile(MODALITY[lang]),
        "denial": re.compile(DENIAL[lang]),
        "serbian": re.compile(SERBIAN[lang]),
        "speech": re.compile(SPEECH[lang]),
        "history": re.compile(HISTORY[lang]),
        "exclude": re.compile(EXCLUDE[lang]),
        "conditional": re.compile(CONDITIONAL[lang]),
        "vote_after": re.compile(VOTE_AFTER[lang]),
        "contrast": re.compile(CONTRAST[lang]),
        "anaphor": re.compile(ANAPHOR[lang]),
        "today": re.compile(TODAY[lang]),
        "yesterday": re.compile(YESTERDAY[lang]),
    }
    for lang in PREDICATES
}

__all__ = ["COMPILED", "KINDS", "MEMBERSHIP_KINDS", "PREDICATES"]
