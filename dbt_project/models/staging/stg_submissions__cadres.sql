{{ config(**by_unit_config('cadres')) }}

with

source as (

    select * from {{ by_unit_source(source('submissions', 'cadres'), 'cadres') }}

),

-- birth_date stays in the private layers, where ages are computed; full_name stops here.
final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        gender,
        birth_date,
        cast(year(birth_date) as integer) as birth_year,
        management_tier,
        workplace_kind,
        current_title_code,
        valid_from,
        valid_to{{ by_unit_version() }}
    from source

)

select * from final
