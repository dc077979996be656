with

source as (

    select * from {{ source('submissions', 'evaluations') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        year,
        rating
    from source

)

select * from final
