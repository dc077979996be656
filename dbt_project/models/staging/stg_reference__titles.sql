with

source as (

    select * from {{ source('reference', 'titles') }}

),

final as (

    select
        title_code,
        title_name,
        title_level
    from source

)

select * from final
