{#- The columns every child stream (reviews, commits, files, check runs) carries about its
    pull request, typed: the staging models of the children all start with them. -#}
{% macro pull_request_link_columns() -%}
    repository,
    pull_request_id,
    cast(pull_request_number as integer) as pull_request_number,
    cast(pull_request_updated_at as timestamp) as pull_request_updated_at
{%- endmacro %}

{#- The one rule for "the current version of a child row". The tap re-sends a PR's
    children whenever the PR changes, stamped with the PR's updated_at at extraction
    (pull_request_updated_at); the loader upserts on each stream's key and never deletes,
    so a child that left its PR (a commit removed by a force-push, a check run on an old
    head commit) keeps its row, stamped with an older version of the PR. A child row is
    current when it was extracted with the PR's current version, i.e. its stamp is not
    older than the PR's updated_at. Children of a PR missing from raw_github are dropped.

    `children` is a staging relation with pull_request_id and pull_request_updated_at;
    the result has exactly its columns. Used once per child by the int_*__current
    models. -#}
{% macro current_pull_request_children(children) -%}
with

children as (

    select * from {{ children }}

),

pull_requests as (

    select
        pull_request_id,
        updated_at
    from {{ ref('stg_github__pull_requests') }}

)

select children.*

from children
inner join pull_requests
    on children.pull_request_id = pull_requests.pull_request_id
where children.pull_request_updated_at >= pull_requests.updated_at
{%- endmacro %}
