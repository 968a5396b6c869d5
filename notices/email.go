package notices

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"assure/domain"
)

// Letter is what an e-mail is written from: the notice and its recipient.
type Letter struct {
	MessageID  string // <id@host>, the same for every attempt at this message
	To         string // the address
	Name       string // the recipient's name
	Language   domain.Language
	Kind       domain.NoticeKind
	Params     map[string]string
	ObjectType string
	ObjectID   string
	// Link is the single-use token an invitation or reset carries; nothing
	// else secret ever goes into a message.
	Link string
}

// Email is one message for an SMTP server.
type Email struct {
	MessageID string
	From, To  string // bare addresses, for the envelope
	Header    mail.Header
	Body      []byte // quoted-printable UTF-8 plain text
}

// linkPages are the pages a single-use link opens, by its purpose.
var linkPages = map[domain.LinkPurpose]string{
	domain.LinkInvitation:    "/invitation",
	domain.LinkPasswordReset: "/password/reset",
}

// Compose writes the e-mail of a letter, from the address from, at now;
// baseURL is where people reach Assure, which the links lead to.
func Compose(l Letter, from mail.Address, baseURL string, now time.Time) (Email, error) {
	base := strings.TrimSuffix(baseURL, "/")
	w := Say(l.Language, l.Kind, l.Params, l.ObjectID)
	c, err := Catalog()
	if err != nil {
		return Email{}, err
	}
	p := c.Printer(l.Language)
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n\n", p.T(greeting, l.Name), w.Text)
	rule, _ := domain.NoticeRuleOf(l.Kind)
	switch {
	case rule.Link != "":
		if l.Link == "" {
			return Email{}, fmt.Errorf("notices: a %s e-mail without its link", l.Kind)
		}
		fmt.Fprintf(&text, "%s:\n%s%s?token=%s\n\n", w.Action, base, linkPages[rule.Link], url.QueryEscape(l.Link))
	case w.Page != "":
		fmt.Fprintf(&text, "%s:\n%s%s\n\n", w.Action, base, w.Page)
	}
	fmt.Fprintf(&text, "-- \n%s\n", p.T(signature))
	if rule.Link == "" {
		fmt.Fprintf(&text, "%s\n", p.T(choose, base+"/account/notifications"))
	}
	var body bytes.Buffer
	qp := quotedprintable.NewWriter(&body)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text.String(), "\n", "\r\n"))); err != nil {
		return Email{}, err
	}
	if err := qp.Close(); err != nil {
		return Email{}, err
	}
	to := mail.Address{Name: l.Name, Address: l.To}
	lang := string(l.Language)
	if lang == "" {
		lang = string(domain.English)
	}
	h := mail.Header{
		"From":                      {from.String()},
		"To":                        {to.String()},
		"Subject":                   {mime.QEncoding.Encode("utf-8", w.Subject)},
		"Date":                      {now.UTC().Format(time.RFC1123Z)},
		"Message-Id":                {l.MessageID},
		"Mime-Version":              {"1.0"},
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
		"Content-Language":          {lang},
		"Auto-Submitted":            {"auto-generated"},
		"X-Auto-Response-Suppress":  {"All"},
	}
	return Email{MessageID: l.MessageID, From: from.Address, To: l.To, Header: h, Body: body.Bytes()}, nil
}

// headerOrder is the order headers are written in.
var headerOrder = []string{"Message-Id", "Date", "From", "To", "Subject", "Mime-Version", "Content-Type",
	"Content-Transfer-Encoding", "Content-Language", "Auto-Submitted", "X-Auto-Response-Suppress"}

// Bytes is the message as it goes over the wire (RFC 5322, CRLF line ends).
func (e Email) Bytes() []byte {
	var b bytes.Buffer
	for _, k := range headerOrder {
		for _, v := range e.Header[k] {
			name := k
			if k == "Message-Id" {
				name = "Message-ID"
			} else if k == "Mime-Version" {
				name = "MIME-Version"
			}
			fmt.Fprintf(&b, "%s: %s\r\n", name, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(e.Body)
	return b.Bytes()
}

// Subject is the message's subject, decoded.
func (e Email) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(e.Header.Get("Subject"))
	if err != nil {
		return e.Header.Get("Subject")
	}
	return s
}
