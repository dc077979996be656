{{ config(**by_unit_config('evaluations')) }}

with

source as (

    select * from {{ by_unit_source(source('submissions', 'evaluations'), 'evaluations') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        year,
        rating{{ by_unit_version() }}
    from source

)

select * from final
