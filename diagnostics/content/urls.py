from django.urls import path

from diagnostics.content import editor, history, views

urlpatterns = [
    path("", views.symptom_index, name="symptom_index"),
    path("search/seen/", views.search_seen, name="search_seen"),
    path("symptoms/<str:key>/", views.symptom_detail, name="symptom_detail"),
    path("symptoms/<str:key>/started/", views.started_notice, name="started_notice"),
    # The editor: one shared draft, published as a revision.
    path("playbook/", editor.playbook, name="playbook"),
    path("playbook/export/", views.playbook_export, name="playbook_export"),
    path("playbook/upload/", editor.upload, name="playbook_upload"),
    path("playbook/publish/", editor.publish, name="publish"),
    path("playbook/discard/", editor.discard, name="discard_draft"),
    path("playbook/preview/", editor.markdown_preview, name="markdown_preview"),
    path("playbook/add-category/", editor.add_category, name="add_category"),
    path("playbook/categories/<str:key>/", editor.edit_category, name="edit_category"),
    path("playbook/categories/<str:key>/move/", editor.move_category, name="move_category"),
    path("playbook/categories/<str:key>/retire/", editor.retire_category, name="retire_category"),
    path("playbook/add-symptom/", editor.add_symptom, name="add_symptom"),
    path("playbook/symptoms/<str:key>/", editor.edit_symptom, name="edit_symptom"),
    path("playbook/symptoms/<str:key>/move/", editor.move_symptom, name="move_symptom"),
    path("playbook/symptoms/<str:key>/retire/", editor.retire_symptom, name="retire_symptom"),
    path("playbook/symptoms/<str:key>/draft/", editor.preview_symptom, name="preview_symptom"),
    path("playbook/symptoms/<str:key>/reviewed/", editor.mark_reviewed, name="mark_reviewed"),
    path("playbook/symptoms/<str:key>/checks/", editor.add_check, name="add_check"),
    path(
        "playbook/symptoms/<str:key>/checks/<str:check_key>/",
        editor.edit_check,
        name="edit_check",
    ),
    path(
        "playbook/symptoms/<str:key>/checks/<str:check_key>/move/",
        editor.move_check,
        name="move_check",
    ),
    path(
        "playbook/symptoms/<str:key>/checks/<str:check_key>/retire/",
        editor.retire_check,
        name="retire_check",
    ),
    # History: every revision, compared and restored.
    path("playbook/history/", history.history, name="playbook_history"),
    path("playbook/history/compare/", history.compare_revisions, name="compare_revisions"),
    path("playbook/history/<int:number>/", history.revision_detail, name="revision_detail"),
    path("playbook/history/<int:number>/yaml/", history.revision_yaml, name="revision_yaml"),
    path("playbook/history/<int:number>/restore/", history.restore, name="restore_revision"),
]
