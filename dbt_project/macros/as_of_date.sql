{#- The as-of date (CONTRACT.md §4, §5): the day the warehouse describes as "now", as
    'YYYY-MM-DD'. Models read it only through this macro, never the wall clock, so a
    rebuild with the same inputs and the same date gives the same marts. It is the var
    `as_of_date` when one is given (dbt's unit tests set it), else NHANLUC_AS_OF_DATE, which
    the refresh sets in dbt's environment to the date it fixed for the run
    (orchestration/dbt_command.py), else the day dbt started, in Hà Nội (dbt docs, a run by
    hand with neither). -#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_text() }}' as date)
{%- endmacro %}

{#- Read when a model compiles, not while dbt parses it: the saved parse then depends on
    no date, so a new date needs no new parse (dbt parses every file again when `--vars`
    change, and each file that read an environment variable whose value changed). What it
    returns while parsing is never run. -#}
{% macro as_of_date_text() -%}
    {%- if not execute -%}
        {{- return('0001-01-01') -}}
    {%- endif -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or (configured | string | trim) == '' -%}
        {%- set configured = env_var('NHANLUC_AS_OF_DATE', '') -%}
    {%- endif -%}
    {%- if (configured | string | trim) == '' -%}
        {%- set hanoi = modules.pytz.timezone('Asia/Ho_Chi_Minh') -%}
        {{- return(run_started_at.astimezone(hanoi).strftime('%Y-%m-%d')) -}}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error("the as-of date (var as_of_date or NHANLUC_AS_OF_DATE) must be a date YYYY-MM-DD, not '" ~ text ~ "'") }}
    {%- endif -%}
    {#- strptime rejects a day that does not exist (2026-02-30). -#}
    {%- do modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    {{- return(text) -}}
{%- endmacro %}

{#- When this build started, UTC, as ISO 8601 text: a timestamp type would differ between
    engines (Spark writes instants, DuckDB reads them back with a time zone). -#}
{% macro built_at() -%}
    cast('{{ run_started_at.astimezone(modules.pytz.utc).strftime("%Y-%m-%dT%H:%M:%SZ") }}' as {{ dbt.type_string() }})
{%- endmacro %}
