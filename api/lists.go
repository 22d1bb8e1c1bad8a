package api

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"

	"github.com/whispir-go/whispir/generated"
)

// Messages iterates over the messages of a workspace (the default one when
// workspaceID is "").
//
// Like every list iterator of Client, it asks for pages of PageSize (20)
// items unless params (which may be nil) sets Limit, fetches each page only
// when the loop reaches it, and yields an error once, as its last value,
// when a page fails. A Limit over 20 breaks the spec: it is refused with
// ErrInvalidRequest and nothing is sent.
//
// Spec operations: messageList (GET /workspaces/{workspaceId}/messages) and
// defaultMessageList (GET /messages).
func (c *Client) Messages(ctx context.Context, workspaceID string, params *generated.MessageListParams) iter.Seq2[generated.MessageSummary, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewMessageListRequest, params,
		generated.NewDefaultMessageListRequest, (*generated.DefaultMessageListParams)(params),
		func(p *generated.MessagePage) []generated.MessageSummary { return deref(p.Messages) })
}

// MessageStatuses iterates over the delivery status of a message sent from a
// workspace (the default one when workspaceID is ""). It pages as
// [Client.Messages] does.
//
// Spec operations: messageStatusList (GET
// /workspaces/{workspaceId}/messages/{messageId}/messagestatus) and
// defaultMessageStatusList (GET /messages/{messageId}/messagestatus).
func (c *Client) MessageStatuses(ctx context.Context, workspaceID, messageID string, params *generated.MessageStatusListParams) iter.Seq2[generated.MessageStatus, error] {
	return scoped(ctx, c, workspaceID,
		bindLast(generated.NewMessageStatusListRequest, messageID), params,
		bind(generated.NewDefaultMessageStatusListRequest, messageID), (*generated.DefaultMessageStatusListParams)(params),
		func(p *generated.MessageStatusPage) []generated.MessageStatus { return deref(p.MessageStatuses) })
}

// MessageResponses iterates over the replies to a message sent from a
// workspace (the default one when workspaceID is ""). It pages as
// [Client.Messages] does.
//
// Spec operations: messageResponseList (GET
// /workspaces/{workspaceId}/messages/{messageId}/messageresponses) and
// defaultMessageResponseList (GET /messages/{messageId}/messageresponses).
func (c *Client) MessageResponses(ctx context.Context, workspaceID, messageID string, params *generated.MessageResponseListParams) iter.Seq2[generated.MessageResponse, error] {
	return scoped(ctx, c, workspaceID,
		bindLast(generated.NewMessageResponseListRequest, messageID), params,
		bind(generated.NewDefaultMessageResponseListRequest, messageID), (*generated.DefaultMessageResponseListParams)(params),
		func(p *generated.MessageResponsePage) []generated.MessageResponse { return deref(p.MessageResponses) })
}

// Resources iterates over the resources (uploaded files) of a workspace (the
// default one when workspaceID is ""). It pages as [Client.Messages] does.
//
// Spec operations: resourceList (GET /workspaces/{workspaceId}/resources)
// and defaultResourceList (GET /resources).
func (c *Client) Resources(ctx context.Context, workspaceID string, params *generated.ResourceListParams) iter.Seq2[generated.Resource, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewResourceListRequest, params,
		generated.NewDefaultResourceListRequest, (*generated.DefaultResourceListParams)(params),
		func(p *generated.ResourcePage) []generated.Resource { return deref(p.Resources) })
}

// Templates iterates over the message templates of a workspace (the default
// one when workspaceID is ""). It pages as [Client.Messages] does.
//
// Spec operations: templateList (GET /workspaces/{workspaceId}/templates)
// and defaultTemplateList (GET /templates).
func (c *Client) Templates(ctx context.Context, workspaceID string, params *generated.TemplateListParams) iter.Seq2[generated.Template, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewTemplateListRequest, params,
		generated.NewDefaultTemplateListRequest, (*generated.DefaultTemplateListParams)(params),
		func(p *generated.TemplatePage) []generated.Template { return deref(p.MessageTemplates) })
}

// ResponseRules iterates over the response rules of a workspace (the default
// one when workspaceID is ""). It pages as [Client.Messages] does.
//
// Spec operations: responseRuleList (GET
// /workspaces/{workspaceId}/responserules) and defaultResponseRuleList (GET
// /responserules).
func (c *Client) ResponseRules(ctx context.Context, workspaceID string, params *generated.ResponseRuleListParams) iter.Seq2[generated.ResponseRule, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewResponseRuleListRequest, params,
		generated.NewDefaultResponseRuleListRequest, (*generated.DefaultResponseRuleListParams)(params),
		func(p *generated.ResponseRulePage) []generated.ResponseRule { return deref(p.ResponseRules) })
}

// Contacts iterates over the contacts of a workspace (the default one when
// workspaceID is ""). It pages as [Client.Messages] does.
//
// Spec operations: contactList (GET /workspaces/{workspaceId}/contacts) and
// defaultContactList (GET /contacts).
func (c *Client) Contacts(ctx context.Context, workspaceID string, params *generated.ContactListParams) iter.Seq2[generated.Contact, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewContactListRequest, params,
		generated.NewDefaultContactListRequest, (*generated.DefaultContactListParams)(params),
		func(p *generated.ContactPage) []generated.Contact { return deref(p.Contacts) })
}

// DistributionLists iterates over the distribution lists of a workspace (the
// default one when workspaceID is ""). It pages as [Client.Messages] does.
//
// Spec operations: distributionListList (GET
// /workspaces/{workspaceId}/distributionlists) and
// defaultDistributionListList (GET /distributionlists).
func (c *Client) DistributionLists(ctx context.Context, workspaceID string, params *generated.DistributionListListParams) iter.Seq2[generated.DistributionList, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewDistributionListListRequest, params,
		generated.NewDefaultDistributionListListRequest, (*generated.DefaultDistributionListListParams)(params),
		func(p *generated.DistributionListPage) []generated.DistributionList {
			return deref(p.DistributionLists)
		})
}

// Scenarios iterates over the scenarios of a workspace (the default one when
// workspaceID is ""). It pages as [Client.Messages] does.
//
// Spec operations: scenarioList (GET /workspaces/{workspaceId}/scenarios)
// and defaultScenarioList (GET /scenarios).
func (c *Client) Scenarios(ctx context.Context, workspaceID string, params *generated.ScenarioListParams) iter.Seq2[generated.Scenario, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewScenarioListRequest, params,
		generated.NewDefaultScenarioListRequest, (*generated.DefaultScenarioListParams)(params),
		func(p *generated.ScenarioPage) []generated.Scenario { return deref(p.Scenarios) })
}

// Events iterates over the events of a workspace (the default one when
// workspaceID is ""). It pages as [Client.Messages] does.
//
// Spec operations: eventList (GET /workspaces/{workspaceId}/events) and
// defaultEventList (GET /events).
func (c *Client) Events(ctx context.Context, workspaceID string, params *generated.EventListParams) iter.Seq2[generated.Event, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewEventListRequest, params,
		generated.NewDefaultEventListRequest, (*generated.DefaultEventListParams)(params),
		func(p *generated.EventPage) []generated.Event { return deref(p.Events) })
}

// Users iterates over the users of a workspace, or of the whole company when
// workspaceID is "". It pages as [Client.Messages] does.
//
// Spec operations: userWorkspaceList (GET /workspaces/{workspaceId}/users)
// and userList (GET /users).
func (c *Client) Users(ctx context.Context, workspaceID string, params *generated.UserListParams) iter.Seq2[generated.User, error] {
	return scoped(ctx, c, workspaceID,
		generated.NewUserWorkspaceListRequest, (*generated.UserWorkspaceListParams)(params),
		generated.NewUserListRequest, params,
		func(p *generated.UserPage) []generated.User { return deref(p.Users) })
}

// Activities iterates over the audit log of a workspace, or of the whole
// company when workspaceID is "". A company-wide search that matches nothing
// (answered 404) yields nothing. The search filters (Action, Module, User,
// Workspace, Status, Description, StartTime, EndTime) are company-wide only:
// with a workspaceID they are refused with ErrInvalidRequest. It pages as
// [Client.Messages] does.
//
// Spec operations: activityWorkspaceList (GET
// /workspaces/{workspaceId}/activities) and activityList (GET /activities).
func (c *Client) Activities(ctx context.Context, workspaceID string, params *generated.ActivityListParams) iter.Seq2[generated.Activity, error] {
	items := func(p *generated.ActivityPage) []generated.Activity { return deref(p.Activities) }
	if workspaceID == "" {
		return emptyIfNotFound(list(ctx, c, generated.NewActivityListRequest, params, items))
	}
	wp, err := activityWorkspaceParams(params)
	if err != nil {
		return failed[generated.Activity](err)
	}
	return list(ctx, c, bind(generated.NewActivityWorkspaceListRequest, workspaceID), wp, items)
}

// activityWorkspaceParams keeps the paging and sorting of p, the only
// parameters activityWorkspaceList takes.
func activityWorkspaceParams(p *generated.ActivityListParams) (*generated.ActivityWorkspaceListParams, error) {
	if p == nil {
		return nil, nil
	}
	rest := *p
	rest.Limit, rest.Offset, rest.SortOrder, rest.SortFields = nil, nil, nil, nil
	if rest != (generated.ActivityListParams{}) {
		return nil, fmt.Errorf("activityWorkspaceList: %w: search filters are for the company-wide list only", ErrInvalidRequest)
	}
	return &generated.ActivityWorkspaceListParams{Limit: p.Limit, Offset: p.Offset, SortOrder: p.SortOrder, SortFields: p.SortFields}, nil
}

// Callbacks iterates over the company's callbacks. It pages as
// [Client.Messages] does.
//
// Spec operation: callbackList (GET /callbacks).
func (c *Client) Callbacks(ctx context.Context, params *generated.CallbackListParams) iter.Seq2[generated.Callback, error] {
	return list(ctx, c, generated.NewCallbackListRequest, params,
		func(p *generated.CallbackPage) []generated.Callback { return deref(p.Callbacks) })
}

// CallbackCalls iterates over the calls made to a callback. It pages as
// [Client.Messages] does.
//
// Spec operation: callbackCallList (GET /callbacks/{callbackId}/calls).
func (c *Client) CallbackCalls(ctx context.Context, callbackID string, params *generated.CallbackCallListParams) iter.Seq2[generated.CallbackCall, error] {
	return list(ctx, c, bind(generated.NewCallbackCallListRequest, callbackID), params,
		func(p *generated.CallbackCallPage) []generated.CallbackCall { return deref(p.Calls) })
}

// Workspaces iterates over the company's workspaces. It pages as
// [Client.Messages] does.
//
// Spec operation: workspaceList (GET /workspaces).
func (c *Client) Workspaces(ctx context.Context, params *generated.WorkspaceListParams) iter.Seq2[generated.Workspace, error] {
	return list(ctx, c, generated.NewWorkspaceListRequest, params,
		func(p *generated.WorkspacePage) []generated.Workspace { return deref(p.Workspaces) })
}

// CustomLists iterates over the company's custom lists. A search that
// matches nothing (answered 404) yields nothing. It pages as
// [Client.Messages] does.
//
// Spec operation: customListList (GET /customlists).
func (c *Client) CustomLists(ctx context.Context, params *generated.CustomListListParams) iter.Seq2[generated.CustomList, error] {
	return emptyIfNotFound(list(ctx, c, generated.NewCustomListListRequest, params,
		func(p *generated.CustomListPage) []generated.CustomList { return deref(p.CustomLabels) }))
}

// Keys iterates over the company's API keys, with masked secrets. keyList
// is internal: not part of Whispir's public API. It pages as
// [Client.Messages] does, but by offset: its pages carry no links.
//
// Spec operation: keyList (GET /keys).
func (c *Client) Keys(ctx context.Context, params *generated.KeyListParams) iter.Seq2[generated.Key, error] {
	return list(ctx, c, generated.NewKeyListRequest, params,
		func(p *generated.KeyPage) []generated.Key { return deref(p.Keys) })
}

// builder is a generated request builder with its path parameters bound.
type builder[P any] func(server string, params *P) (*http.Request, error)

// bind binds the path parameter of a builder that takes one.
func bind[P any](build func(string, string, *P) (*http.Request, error), id string) builder[P] {
	return func(server string, p *P) (*http.Request, error) { return build(server, id, p) }
}

// bindLast binds the second of two path parameters (a message id after a
// workspace id).
func bindLast[P any](build func(string, string, string, *P) (*http.Request, error), id string) func(string, string, *P) (*http.Request, error) {
	return func(server, workspaceID string, p *P) (*http.Request, error) {
		return build(server, workspaceID, id, p)
	}
}

// scoped lists with the workspace form of an operation, or with its
// default form (def) when workspaceID is "".
func scoped[P, D, C, T any](ctx context.Context, c *Client, workspaceID string,
	ws func(string, string, *P) (*http.Request, error), p *P,
	def builder[D], d *D, items func(*C) []T,
) iter.Seq2[T, error] {
	if workspaceID == "" {
		return list(ctx, c, def, d, items)
	}
	return list(ctx, c, bind(ws, workspaceID), p, items)
}

// list builds the first request of a list operation, asking for pages of
// PageSize items when params sets no limit, and pages through the
// collection C.
func list[P, C, T any](ctx context.Context, c *Client, build builder[P], params *P, items func(*C) []T) iter.Seq2[T, error] {
	req, err := build(c.server(), params)
	if err != nil {
		return failed[T](fmt.Errorf("build list request: %w", err))
	}
	if !req.URL.Query().Has("limit") {
		req.URL.RawQuery = setQuery(req.URL.RawQuery, "limit", strconv.Itoa(PageSize))
	}
	return paginate(ctx, c, req, items)
}

// emptyIfNotFound ends seq without an error where it fails with a 404: the
// answer of a search that matches nothing.
func emptyIfNotFound[T any](seq iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range seq {
			if errors.Is(err, ErrNotFound) || !yield(v, err) {
				return
			}
		}
	}
}

// failed yields err alone.
func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}
