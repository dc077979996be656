{#- The as-of date (CONTRACT.md §4, §5): the day the warehouse describes as "now". The
    orchestration fixes it once per refresh and passes it as the var `as_of_date`
    ('YYYY-MM-DD'); models read it only through this macro, never the wall clock, so a
    rebuild with the same inputs and the same date gives the same marts. Without the var
    (dbt docs, a run by hand) it is the day dbt started, in Hà Nội. -#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_text() }}' as date)
{%- endmacro %}

{% macro as_of_date_text() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or (configured | string | trim) == '' -%}
        {%- set hanoi = modules.pytz.timezone('Asia/Ho_Chi_Minh') -%}
        {{- return(run_started_at.astimezone(hanoi).strftime('%Y-%m-%d')) -}}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error("var as_of_date must be a date YYYY-MM-DD, not '" ~ text ~ "'") }}
    {%- endif -%}
    {#- strptime rejects a day that does not exist (2026-02-30) before any SQL runs. -#}
    {%- do modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    {{- return(text) -}}
{%- endmacro %}

{#- When this build started, UTC, as ISO 8601 text: a timestamp type would differ between
    engines (Spark writes instants, DuckDB reads them back with a time zone). -#}
{% macro built_at() -%}
    cast('{{ run_started_at.astimezone(modules.pytz.utc).strftime("%Y-%m-%dT%H:%M:%SZ") }}' as {{ dbt.type_string() }})
{%- endmacro %}
