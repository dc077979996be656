{#- Staging of a submitted file, rebuilt unit by unit on DuckDB. Exists because a
    resubmission changes one unit's rows while a table rebuild reads every unit and
    computes every person_key again. Ingest stamps each unit's Parquet slice with a new
    version in its footer whenever it rewrites it (SLICE_VERSION in
    orchestration/ingest/loader.py). A model keeps, on every row, the version of the
    slice it came from joined to the pseudonym key's fingerprint; its pre-hook deletes
    the rows of units whose slice changed or is gone (or were keyed under another key)
    and the model appends the units it no longer holds. Other engines, and
    `--full-refresh`, rebuild the whole table; so does `--vars '{by_unit: false}'`
    (plain tables, no versions: the benchmark's floor). Use as:

        {{ config(**by_unit_config('enrolments')) }}
        ... from {{ by_unit_source(source('submissions', 'enrolments'), 'enrolments') }}
        ... select <columns>{{ by_unit_version() }} -#}

{% macro by_unit() -%}
    {{ return(target.type == 'duckdb' and var('by_unit', true)) }}
{%- endmacro %}

{% macro by_unit_config(file) -%}
    {%- if by_unit() -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'append',
            'on_schema_change': 'fail',
            'pre_hook': "{{ delete_changed_units('" ~ file ~ "') }}",
        }) }}
    {%- else -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
{%- endmacro %}

{#- One row per unit slice of `file`: its unit and the version its rows carry. -#}
{% macro unit_slice_versions(file) -%}
    {%- set slices = env_var('NHANLUC_WAREHOUSE_DIR', '../warehouse') ~ '/private/raw/' ~ file ~ '/*.parquet' -%}
    select
        parse_filename(file_name, true) as unit_code,
        decode(value) || ':' || nhanluc_key_fingerprint() as slice_version
    from parquet_kv_metadata('{{ slices | replace("'", "''") }}')
    where decode(key) = 'nhanluc_slice_version'
{%- endmacro %}

{#- A subquery of the rows to stage: every row with its slice's version, or on an
    incremental run only those of units the table does not hold. A slice's rows all
    carry its unit's code (ingest's unit_code_mismatch rule, checked again by pandera). -#}
{% macro by_unit_source(relation, file) -%}
    {%- if by_unit() -%}
    (
        select submitted.*, versions.slice_version as _slice_version
        from {{ relation }} as submitted
        inner join ({{ unit_slice_versions(file) }}) as versions
            on submitted.unit_code = versions.unit_code
        {%- if is_incremental() %}
        where submitted.unit_code not in (select distinct unit_code from {{ this }})
        {%- endif %}
    )
    {%- else -%}
    {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The version column, after a model's last column (DuckDB only). -#}
{% macro by_unit_version() -%}
    {%- if by_unit() -%}, _slice_version{%- endif -%}
{%- endmacro %}

{% macro delete_changed_units(file) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where unit_code in (
        select unit_code from (
            select distinct unit_code, _slice_version from {{ this }}
            except
            select unit_code, slice_version from ({{ unit_slice_versions(file) }})
        )
    )
    {%- endif -%}
{%- endmacro %}
