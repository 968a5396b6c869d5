package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/notices"
	"assure/store"
)

// Notification is one notice of the caller's notification centre, in the
// caller's language.
type Notification struct {
	ID         string     `json:"id" format:"uuid"`
	Kind       string     `json:"kind" doc:"What happened, e.g. campaign.opened, assessment.overdue, finding.raised."`
	Subject    string     `json:"subject" doc:"One line, in the caller's language."`
	Text       string     `json:"text" doc:"A paragraph, in the caller's language."`
	Page       string     `json:"page,omitempty" doc:"The page of what it is about, from the site's root."`
	ProviderID string     `json:"provider_id,omitempty" format:"uuid"`
	ObjectType string     `json:"object_type,omitempty" doc:"What it is about: assessment, finding …"`
	ObjectID   string     `json:"object_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
}

func notificationOf(l domain.Language) func(domain.Notification) Notification {
	return func(n domain.Notification) Notification {
		w := notices.Say(l, n.Kind, n.Params, n.ObjectID)
		return Notification{ID: n.ID, Kind: string(n.Kind), Subject: w.Subject, Text: w.Text, Page: w.Page,
			ProviderID: n.ProviderID, ObjectType: n.ObjectType, ObjectID: n.ObjectID, CreatedAt: n.CreatedAt.UTC(),
			ReadAt: n.ReadAt}
	}
}

type listNotificationsInput struct {
	ListParams
	Unread bool `query:"unread" doc:"Only the notifications not read yet."`
}

type notificationListOutput struct {
	Body struct {
		Items  []Notification `json:"items"`
		Next   string         `json:"next,omitempty" doc:"Pass as ?cursor= to read the next page."`
		Unread int            `json:"unread" doc:"How many of the caller's notifications are not read yet."`
	}
}

type markReadInput struct {
	Body struct {
		IDs []string `json:"ids" maxItems:"500" doc:"The notifications to mark read; empty marks every one."`
	}
}

type markReadOutput struct {
	Body struct {
		Marked int `json:"marked" doc:"How many were unread and are now read."`
	}
}

// NotificationPreference says how the caller hears of one kind of notice.
type NotificationPreference struct {
	Kind      string `json:"kind" maxLength:"100"`
	InApp     bool   `json:"in_app" doc:"Shown in the notification centre."`
	Email     bool   `json:"email" doc:"Sent by e-mail."`
	Mandatory bool   `json:"mandatory,omitempty" doc:"This notice cannot be turned off; ignored on input."`
}

type preferencesOutput struct {
	Body struct {
		Preferences []NotificationPreference `json:"preferences"`
	}
}

type preferencesInput struct {
	Body struct {
		Preferences []NotificationPreference `json:"preferences" maxItems:"100" doc:"The kinds to change; others stay as they are."`
	}
}

func preferencesResponse(list []domain.NoticePreference) *preferencesOutput {
	out := &preferencesOutput{}
	out.Body.Preferences = []NotificationPreference{}
	for _, p := range list {
		out.Body.Preferences = append(out.Body.Preferences, NotificationPreference{Kind: string(p.Kind), InApp: p.InApp,
			Email: p.Email, Mandatory: p.Mandatory})
	}
	return out
}

// language is the caller's language for texts the API writes.
func (a *API) language(ctx context.Context, actor domain.Actor) domain.Language {
	u, err := a.app.Me(ctx, actor)
	if err != nil || !domain.Language(u.Language).Valid() {
		return domain.English
	}
	return domain.Language(u.Language)
}

func (a *API) registerNotifications() {
	tags := []string{"Notifications"}
	register(a, huma.Operation{
		OperationID: "list-notifications", Method: http.MethodGet, Path: "/api/v1/me/notifications", Tags: tags,
		Summary: "List my notifications",
		Description: "The caller's notification centre, newest first, each in the caller's language: campaigns opened, " +
			"reminders, decisions, findings, filings waiting for a second approval.",
	}, func(ctx context.Context, in *listNotificationsInput) (*notificationListOutput, error) {
		actor := actorFrom(ctx)
		list, next, err := a.app.Notifications(ctx, actor, store.NotificationFilter{Unread: in.Unread}, in.page())
		if err != nil {
			return nil, err
		}
		unread, err := a.app.UnreadNotifications(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := &notificationListOutput{}
		of := notificationOf(a.language(ctx, actor))
		out.Body.Items = make([]Notification, len(list))
		for i, n := range list {
			out.Body.Items[i] = of(n)
		}
		out.Body.Next, out.Body.Unread = next, unread
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "mark-notifications-read", Method: http.MethodPost, Path: "/api/v1/me/notifications/read", Tags: tags,
		Summary:     "Mark my notifications read",
		Description: "Marks the given notifications of the caller read, or every one when ids is empty. An id that is not the caller's is 404.",
	}, func(ctx context.Context, in *markReadInput) (*markReadOutput, error) {
		n, err := a.app.MarkNotificationsRead(ctx, actorFrom(ctx), in.Body.IDs)
		if err != nil {
			return nil, err
		}
		out := &markReadOutput{}
		out.Body.Marked = n
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "get-notification-preferences", Method: http.MethodGet, Path: "/api/v1/me/notification-preferences",
		Tags: tags, Summary: "Get my notification preferences",
		Description: "For every kind of notice the caller's role may receive: whether it shows in the notification " +
			"centre and whether it is e-mailed. Everything is on until turned off.",
	}, func(ctx context.Context, _ *struct{}) (*preferencesOutput, error) {
		list, err := a.app.NotificationPreferences(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		return preferencesResponse(list), nil
	})

	register(a, huma.Operation{
		OperationID: "put-notification-preferences", Method: http.MethodPut, Path: "/api/v1/me/notification-preferences",
		Tags: tags, Summary: "Change my notification preferences",
		Description: "Sets, for each kind given, whether it shows in the notification centre and whether it is e-mailed. " +
			"Kinds the caller does not receive, and turning off a notice that cannot be, are 422 naming each.",
	}, func(ctx context.Context, in *preferencesInput) (*preferencesOutput, error) {
		prefs := make([]domain.NoticePreference, len(in.Body.Preferences))
		for i, p := range in.Body.Preferences {
			prefs[i] = domain.NoticePreference{Kind: domain.NoticeKind(p.Kind), InApp: p.InApp, Email: p.Email}
		}
		list, err := a.app.SetNotificationPreferences(ctx, actorFrom(ctx), prefs)
		if err != nil {
			return nil, err
		}
		return preferencesResponse(list), nil
	})
}
