package app

import (
	"context"

	"assure/domain"
	"assure/store"
)

// Notifications lists the actor's own notification centre, newest first.
func (a *App) Notifications(ctx context.Context, actor domain.Actor, f store.NotificationFilter, page store.Page) ([]domain.Notification, string, error) {
	if err := a.permit(ctx, actor, "notification", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Notifications(ctx, actor, f, page)
}

// UnreadNotifications counts the actor's unread notifications: the badge
// of the navigation. Zero for who has no notification centre.
func (a *App) UnreadNotifications(ctx context.Context, actor domain.Actor) (int, error) {
	if !a.Offers(actor, "notification", "read") {
		return 0, nil
	}
	return a.db.UnreadNotifications(ctx, actor)
}

// MarkNotificationsRead marks the actor's notifications ids read, or all
// of them when ids is empty, and returns how many changed. Another user's
// notification is ENotFound.
func (a *App) MarkNotificationsRead(ctx context.Context, actor domain.Actor, ids []string) (int, error) {
	if err := a.permit(ctx, actor, "notification", "update"); err != nil {
		return 0, err
	}
	return a.db.MarkNotificationsRead(ctx, actor, ids)
}

// NotificationPreferences returns, for every kind of notice the actor's
// role may receive, whether they receive it in the centre and by e-mail.
func (a *App) NotificationPreferences(ctx context.Context, actor domain.Actor) ([]domain.NoticePreference, error) {
	if err := a.permit(ctx, actor, "notification", "read"); err != nil {
		return nil, err
	}
	return a.db.NotificationPreferences(ctx, actor)
}

// SetNotificationPreferences records the actor's choices; EInvalid names
// each kind they do not receive or may not turn off.
func (a *App) SetNotificationPreferences(ctx context.Context, actor domain.Actor, prefs []domain.NoticePreference) ([]domain.NoticePreference, error) {
	if err := a.permit(ctx, actor, "notification", "update"); err != nil {
		return nil, err
	}
	if err := a.db.SetNotificationPreferences(ctx, actor, prefs); err != nil {
		return nil, err
	}
	return a.db.NotificationPreferences(ctx, actor)
}
