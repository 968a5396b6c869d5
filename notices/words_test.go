package notices

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"assure/domain"
)

// TestEveryKindHasWords holds the messages to the domain's rules: every
// kind has words, in French too, and nothing has words without a rule.
func TestEveryKindHasWords(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	rules := map[domain.NoticeKind]bool{}
	for _, r := range domain.NoticeRules() {
		rules[r.Kind] = true
		m, ok := messages[r.Kind]
		if !ok {
			t.Errorf("%s has no words", r.Kind)
			continue
		}
		if (r.Link != "") != (m.page == "") {
			t.Errorf("%s: a link e-mail leads to its link, any other to its page (page %q)", r.Kind, m.page)
		}
		for _, key := range []string{m.subject, m.text, m.action} {
			if key == "" || !c.Has(domain.French, key) {
				t.Errorf("%s: %q has no French text", r.Kind, key)
			}
		}
	}
	for k := range messages {
		if !rules[k] {
			t.Errorf("%s has words but no rule", k)
		}
	}
	for _, key := range []string{greeting, signature, choose, unknownTitle} {
		if !c.Has(domain.French, key) {
			t.Errorf("%q has no French text", key)
		}
	}
}

func TestSayFillsTheWordsInTheirLanguage(t *testing.T) {
	params := map[string]string{"campaign": "2027 H1", "provider": "Alpha", "due": "2027-03-02"}
	en := Say(domain.English, domain.NoticeCampaignOpened, params, "a1")
	if en.Subject != "Campaign 2027 H1 is open for Alpha" || !strings.Contains(en.Text, "due on 2 March 2027") ||
		en.Page != "/assessments/a1" {
		t.Errorf("English: %+v", en)
	}
	fr := Say(domain.French, domain.NoticeCampaignOpened, params, "a1")
	if fr.Subject != "La campagne 2027 H1 est ouverte pour Alpha" || !strings.Contains(fr.Text, "le 2 mars 2027") {
		t.Errorf("French: %+v", fr)
	}
	if w := Say(domain.French, "incident.unheard_of", nil, ""); w.Subject != "Un avis d’Assure" {
		t.Errorf("an unknown kind: %+v", w)
	}
}

func TestComposeCarriesOnlyItsLink(t *testing.T) {
	from := mail.Address{Name: "Assure", Address: "assure@regulator.test"}
	l := Letter{MessageID: "<m1@regulator.test>", To: "ama@alpha.test", Name: "Ama Mensah", Language: domain.French,
		Kind: domain.NoticeInvitation, Params: map[string]string{"by": "Kofi", "expires": "2027-03-09T10:00:00Z"},
		Link: "assure_l_secret"}
	e, err := Compose(l, from, "https://assure.example/", time.Date(2027, 3, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	raw := string(e.Bytes())
	for _, want := range []string{"Message-ID: <m1@regulator.test>\r\n", "Content-Language: fr", "Auto-Submitted: auto-generated"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in\n%s", want, raw)
		}
	}
	if e.Subject() != "Votre compte Assure" {
		t.Errorf("subject %q", e.Subject())
	}
	if _, err := Compose(Letter{Kind: domain.NoticeInvitation, To: "x@y.test"}, from, "https://a", time.Now()); err == nil {
		t.Error("an invitation without its link was written")
	}
}
