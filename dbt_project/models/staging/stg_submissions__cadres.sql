with

source as (

    select * from {{ source('submissions', 'cadres') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        gender,
        cast(year(birth_date) as integer) as birth_year,
        management_tier,
        workplace_kind,
        current_title_code
    from source

)

select * from final
