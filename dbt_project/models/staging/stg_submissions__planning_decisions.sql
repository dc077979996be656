{{ config(**by_unit_config('planning')) }}

with

source as (

    select * from {{ by_unit_source(source('submissions', 'planning'), 'planning') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        title_code,
        term_code,
        decision_date,
        status{{ by_unit_version() }}
    from source

)

select * from final
