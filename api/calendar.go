package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/domain"
)

// CalendarEntry is one dated obligation.
type CalendarEntry struct {
	UID          string     `json:"uid" doc:"The same for this obligation every time the calendar is read."`
	Kind         string     `json:"kind" doc:"campaign_opens, campaign_due, finding_due, and others as Assure adds them."`
	Title        string     `json:"title" doc:"The object's own name: the campaign's, the finding's."`
	Date         string     `json:"date" format:"date" doc:"The day it falls on."`
	At           *time.Time `json:"at,omitempty" doc:"The instant of a deadline that runs by the hour; absent for one due on a day."`
	ProviderID   string     `json:"provider_id,omitempty" format:"uuid" doc:"The provider it binds; absent for the sector's."`
	ProviderName string     `json:"provider_name,omitempty"`
	ObjectType   string     `json:"object_type" doc:"campaign, assessment, finding or campaign_series."`
	ObjectID     string     `json:"object_id"`
	Status       string     `json:"status" doc:"The object's state; planned for a campaign a series has still to make."`
	Overdue      bool       `json:"overdue" doc:"Its day has passed and it is still owed (a draft campaign not opened on its day, too)."`
	Done         bool       `json:"done" doc:"Nothing is owed any more."`
	Planned      bool       `json:"planned" doc:"A campaign a series will make, not made yet."`
}

// CalendarBody is a calendar of a window of days.
type CalendarBody struct {
	From       string          `json:"from" format:"date"`
	To         string          `json:"to" format:"date"`
	Today      string          `json:"today" format:"date" doc:"The day overdue is judged on."`
	ProviderID string          `json:"provider_id,omitempty" format:"uuid" doc:"The provider whose calendar this is; absent for the sector's."`
	Through    string          `json:"through" format:"date" doc:"The last day listed whole: to, unless truncated."`
	Truncated  bool            `json:"truncated" doc:"The window holds more entries than one calendar lists: only the days up to through are given. Ask for a shorter window, or one provider's."`
	Items      []CalendarEntry `json:"items"`
}

type calendarInput struct {
	From     string `query:"from" format:"date" doc:"The first day, YYYY-MM-DD; today when absent."`
	To       string `query:"to" format:"date" doc:"The last day, YYYY-MM-DD, at most 399 days after from; 89 days after from when absent."`
	Provider string `query:"provider" maxLength:"64" doc:"One provider's calendar; provider users always read their own."`
}

type calendarOutput struct {
	Body CalendarBody
}

func calendarEntryOf(e domain.CalendarEntry) CalendarEntry {
	out := CalendarEntry{UID: e.UID, Kind: string(e.Kind), Title: e.Title, Date: e.Day.String(), ProviderID: e.ProviderID,
		ProviderName: e.ProviderName, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Status: e.Status,
		Overdue: e.Overdue, Done: e.Done, Planned: e.Planned}
	if e.At != nil {
		at := e.At.UTC()
		out.At = &at
	}
	return out
}

// CalendarFeed is the state of the caller's calendar feed.
type CalendarFeed struct {
	Active     bool       `json:"active" doc:"The caller has a feed whose address works."`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"When a calendar application last read it, to the nearest ten minutes."`
}

type calendarFeedOutput struct {
	Body CalendarFeed
}

// NewCalendarFeed is a feed just made, with its secret address.
type NewCalendarFeed struct {
	CalendarFeed
	Path string `json:"path" doc:"The feed's address on this server, secret: shown this once. Subscribe to it in a calendar application; anyone who has it reads your calendar."`
}

type newCalendarFeedOutput struct {
	Body NewCalendarFeed
}

func (a *API) registerCalendar() {
	tags := []string{"Calendar"}
	register(a, huma.Operation{
		OperationID: "get-calendar", Method: http.MethodGet, Path: "/api/v1/calendar", Tags: tags,
		Summary: "Read the calendar",
		Description: "The dated obligations of a window of days (at most 400): campaigns opening and due, findings " +
			"due, the campaigns series will make, each flagged when overdue. Supervisors and auditors read the " +
			"sector's or, with provider, one provider's; provider users read their own provider's.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *calendarInput) (*calendarOutput, error) {
		w, err := a.window(in.From, in.To)
		if err != nil {
			return nil, err
		}
		cal, err := a.app.Calendar(ctx, actorFrom(ctx), w, in.Provider)
		if err != nil {
			return nil, err
		}
		return &calendarOutput{Body: calendarBodyOf(cal)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-calendar-feed", Method: http.MethodGet, Path: "/api/v1/me/calendar-feed", Tags: tags,
		Summary: "Your calendar feed", Description: "Whether you have a calendar feed, never its address.",
	}, func(ctx context.Context, _ *struct{}) (*calendarFeedOutput, error) {
		f, ok, err := a.app.CalendarFeed(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		out := &calendarFeedOutput{}
		if ok {
			out.Body = CalendarFeed{Active: true, CreatedAt: &f.CreatedAt, LastUsedAt: f.LastUsedAt}
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "create-calendar-feed", Method: http.MethodPost, Path: "/api/v1/me/calendar-feed", Tags: tags,
		Summary: "Make a calendar feed",
		Description: "Makes a secret address at which calendar applications read your calendar (iCalendar) " +
			"without signing in, and shows it once. A feed you had stops working: this is also how to change " +
			"an address that was shared by mistake.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, _ *struct{}) (*newCalendarFeedOutput, error) {
		secret, f, err := a.app.CreateCalendarFeed(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		return &newCalendarFeedOutput{Body: NewCalendarFeed{CalendarFeed: CalendarFeed{Active: true, CreatedAt: &f.CreatedAt},
			Path: app.FeedPath(secret)}}, nil
	})

	register(a, huma.Operation{
		OperationID: "revoke-calendar-feed", Method: http.MethodDelete, Path: "/api/v1/me/calendar-feed", Tags: tags,
		Summary: "Revoke your calendar feed", Description: "Its address answers nothing from now on. Without a feed, nothing changes.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		return nil, a.app.RevokeCalendarFeed(ctx, actorFrom(ctx))
	})
}

// window reads a calendar's from and to; the application fills in what is
// absent.
func (a *API) window(from, to string) (domain.CalendarWindow, error) {
	d, problems := dates(map[string]string{"query.from": from, "query.to": to})
	if len(problems) > 0 {
		return domain.CalendarWindow{}, domain.Invalid("the calendar window is not valid", problems)
	}
	return a.app.CalendarWindow(d["query.from"], d["query.to"])
}

func calendarBodyOf(cal app.Calendar) CalendarBody {
	b := CalendarBody{From: cal.Window.From.String(), To: cal.Window.To.String(), Today: cal.Today.String(),
		ProviderID: cal.ProviderID, Through: cal.Through.String(), Truncated: cal.Truncated,
		Items: make([]CalendarEntry, len(cal.Entries))}
	for i, e := range cal.Entries {
		b.Items[i] = calendarEntryOf(e)
	}
	return b
}
